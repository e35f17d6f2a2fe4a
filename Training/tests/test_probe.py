"""The probe tool's pieces: a linear probe separates separable features and not shuffled ones;
per-class accuracy and the confusion matrix count what they should (run by hand:
python -m pytest Training/tests)."""
import torch

from stasclip.probe import confusion, linear_probe, nearest_classes, per_class


def test_linear_probe_separates_separable_features_and_not_noise():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(3).repeat(40)
    centres = torch.randn(3, 8, generator=g) * 4
    x = centres[labels] + torch.randn(120, 8, generator=g)
    train_accuracy, predicted = linear_probe(x[:90], labels[:90], x[90:], 3)
    assert train_accuracy > 0.95 and float((predicted == labels[90:]).float().mean()) > 0.95
    noise = torch.randn(120, 8, generator=g)
    _, predicted = linear_probe(noise[:90], labels[:90], noise[90:], 3)
    assert float((predicted == labels[90:]).float().mean()) < 0.7


def test_per_class_and_confusion():
    labels = torch.tensor([0, 0, 1, 1, 2])
    predicted = torch.tensor([0, 1, 1, 1, 0])
    assert per_class(predicted, labels, 3) == [50.0, 100.0, 0.0]
    assert confusion(predicted, labels, 3) == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_nearest_classes_name_the_closest_other_class_and_its_cosine():
    e = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.1, 0.0], [0.0, 0.5, 1.0]]), dim=-1)
    nearest = nearest_classes(e)
    assert [i for i, _ in nearest] == [1, 0, 1]
    assert abs(nearest[0][1] - float(e[0] @ e[1])) < 1e-6 and nearest[0][1] == nearest[1][1]
    assert abs(nearest[2][1] - float(e[2] @ e[1])) < 1e-6
