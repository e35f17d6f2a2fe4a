"""The stand-alone operators of stas-clip: TS, covariance, iSQRT-COV, upper triangle."""
import numpy as np
import pytest
import scipy.linalg
import torch

from stasclip import covariance, isqrt_cov, temporal_shift, upper_triangle


def test_temporal_shift_moves_first_eighth_forward_and_last_eighth_backward():
    # T = 3 frames, D = 16 channels, fold = 2; value = 100·(t+1) + channel.
    m = torch.tensor([[[100.0 * (t + 1) + c for c in range(16)] for t in range(3)]])   # (1, 3, 16)
    out = temporal_shift(m, 2)
    expected = m.clone()
    # Channels 0-1: out[t] = in[t-1], zero at t = 0.
    expected[0, :, 0:2] = torch.tensor([[0.0, 0.0], [100.0, 101.0], [200.0, 201.0]])
    # Channels 14-15: out[t] = in[t+1], zero at t = T-1.
    expected[0, :, 14:16] = torch.tensor([[214.0, 215.0], [314.0, 315.0], [0.0, 0.0]])
    assert torch.equal(out, expected)


def test_temporal_shift_keeps_the_middle_channels_and_the_input():
    m = torch.randn(2, 4, 36)
    before = m.clone()
    out = temporal_shift(m, 4)
    assert torch.equal(m, before)
    assert torch.equal(out[:, :, 4:32], m[:, :, 4:32])
    assert torch.equal(out[:, 1:, :4], m[:, :-1, :4])
    assert torch.equal(out[:, :-1, 32:], m[:, 1:, 32:])
    assert not out[:, 0, :4].any() and not out[:, -1, 32:].any()


def test_covariance_is_the_biased_sample_covariance():
    x = torch.randn(3, 20, 6, dtype=torch.float64)
    expected = np.stack([np.cov(c.numpy(), rowvar=False, bias=True) for c in x])
    np.testing.assert_allclose(covariance(x).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_upper_triangle_is_row_major_with_the_diagonal():
    m = torch.arange(16.0).view(1, 4, 4)
    assert upper_triangle(m).tolist() == [[0, 1, 2, 3, 5, 6, 7, 10, 11, 15]]
    assert upper_triangle(torch.zeros(1, 12, 12)).shape == (1, 78)
    assert upper_triangle(torch.zeros(1, 128, 128)).shape == (1, 8256)


def well_conditioned(d: int, seed: int) -> np.ndarray:
    """Σ = U diag(λ) Uᵀ with λ ∈ [1, 2]: condition number ≤ 2."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (q * rng.uniform(1.0, 2.0, d)) @ q.T


def scalar_newton_schulz(lam: np.ndarray, iterations: int) -> np.ndarray:
    """The coupled iteration on each eigenvalue: Y and Z are polynomials in A, so they share Σ's eigenvectors."""
    trace = lam.sum()
    y, z = lam / trace, np.ones_like(lam)
    for _ in range(iterations):
        t = 0.5 * (3.0 - z * y)
        y, z = y * t, t * z
    return y * np.sqrt(trace)


@pytest.mark.parametrize("d", [4, 12])
def test_isqrt_cov_is_the_newton_schulz_iteration_on_the_spectrum(d):
    sigma = np.stack([well_conditioned(d, 0), well_conditioned(d, 1)])
    got = isqrt_cov(torch.tensor(sigma), 5).numpy()
    for s, g in zip(sigma, got):
        lam, u = np.linalg.eigh(s)
        expected = (u * scalar_newton_schulz(lam, 5)) @ u.T
        np.testing.assert_allclose(g, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("d", [4, 12])
def test_isqrt_cov_approaches_sqrtm_within_the_newton_schulz_error(d):
    sigma = np.stack([well_conditioned(d, 2), well_conditioned(d, 3)])
    for iterations in (5, 8):
        got = isqrt_cov(torch.tensor(sigma, dtype=torch.float32), iterations).double().numpy()
        for s, g in zip(sigma, got):
            lam = np.linalg.eigvalsh(s)
            # The spectral-norm error of the exact iteration, plus float32 round-off.
            bound = np.abs(scalar_newton_schulz(lam, iterations) - np.sqrt(lam)).max() + 1e-5
            exact = scipy.linalg.sqrtm(s).real
            assert np.linalg.norm(g - exact, 2) <= bound
    converged = isqrt_cov(torch.tensor(sigma), 30).numpy()
    for s, g in zip(sigma, converged):
        np.testing.assert_allclose(g, scipy.linalg.sqrtm(s).real, rtol=0, atol=1e-10)
        np.testing.assert_allclose(g @ g, s, rtol=0, atol=1e-10)
