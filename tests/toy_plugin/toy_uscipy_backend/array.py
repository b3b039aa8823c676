import numpy as np


class ToyArray:
    def __init__(self, data):
        self.data = np.asarray(data)
