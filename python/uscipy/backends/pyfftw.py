"""The ``pyfftw`` backend: pyFFTW's uarray backend for scipy.fft, unchanged
(``pyfftw.interfaces.scipy_fft``; its plan cache and planner effort as pyFFTW documents)."""

from ._uarray_module import module_backend

TYPES: tuple[str, ...] = ()  # NumPy input, selected by name or priority list
__getattr__, available = module_backend("pyfftw.interfaces.scipy_fft", "pyfftw")
