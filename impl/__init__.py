"""NumPy trainer: a fully connected network trained by backpropagation.

Imports only NumPy and ``scipy.special``; it knows nothing of the symbolic
specification in ``spec`` that checks it.
"""

from impl import activations, losses
from impl.network import Diverged, Network

__all__ = ["Diverged", "Network", "activations", "losses"]
