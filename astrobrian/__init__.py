"""astrobrian: neuron–astrocyte associative-memory networks in Brian2.

The abstract models (`astrobrian.abstract`) are pure NumPy; the biophysical layers build
native Brian2 objects. See README.md for the two set-up commands.
"""

__version__ = "0.1.0"
