"""PyTorch reference of stas-clip (seed paper sections 3.2-3.4), its training helpers, and the synthetic data.

The names below load their module on first use (PEP 562), so that ``python -m stasclip.synthetic``, which
needs only numpy and Pillow, runs where torch is not installed.
"""
import importlib

# Exported name → the submodule that defines it.
_EXPORTS = {
    "STASAuxOutput": "modeling_stas_clip",
    "STASCLIPConfig": "modeling_stas_clip",
    "STASCLIPModel": "modeling_stas_clip",
    "STASCLIPOutput": "modeling_stas_clip",
    "STASVideoOutput": "modeling_stas_clip",
    "covariance": "modeling_stas_clip",
    "is_new_parameter": "modeling_stas_clip",
    "isqrt_cov": "modeling_stas_clip",
    "temporal_shift": "modeling_stas_clip",
    "upper_triangle": "modeling_stas_clip",
    "contrastive_loss": "training",
    "parameter_groups": "training",
    "stas_loss": "training",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
