"""Read by uscipy without importing the backend or the array library."""

info = {
    "types": ["toy_uscipy_backend.array:ToyArray"],
    "modules": ["fft"],
    "functions": 1,
    "priority": 0,
}
