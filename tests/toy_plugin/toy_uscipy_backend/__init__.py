"""A toy array library with a uscipy backend, as a third party would ship one."""
