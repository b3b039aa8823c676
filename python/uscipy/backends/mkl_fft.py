"""The ``mkl_fft`` backend: mkl_fft's uarray backend for scipy.fft, unchanged
(``mkl_fft.interfaces.scipy_fft``)."""

from ._uarray_module import module_backend

TYPES: tuple[str, ...] = ()  # NumPy input, selected by name or priority list
__getattr__, available = module_backend("mkl_fft.interfaces.scipy_fft", "mkl-fft mkl-service")
