"""PyTorch reference of stas-clip (seed paper sections 3.2-3.4) and its training helpers."""
from .modeling_stas_clip import (
    STASAuxOutput,
    STASCLIPConfig,
    STASCLIPModel,
    STASCLIPOutput,
    STASVideoOutput,
    covariance,
    is_new_parameter,
    isqrt_cov,
    temporal_shift,
    upper_triangle,
)
from .training import contrastive_loss, parameter_groups, stas_loss

__all__ = ["STASAuxOutput", "STASCLIPConfig", "STASCLIPModel", "STASCLIPOutput", "STASVideoOutput", "covariance",
           "is_new_parameter", "isqrt_cov", "temporal_shift", "upper_triangle", "contrastive_loss",
           "parameter_groups", "stas_loss"]
