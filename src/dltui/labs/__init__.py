"""The labs: one module per lab, each following the contract in :mod:`dltui.labspec`.

Importing this package, or any lab module, must not import torch: torch is imported inside
each lab's ``train`` function, which runs in the engine's worker process.
"""
