"""Quality tooling of the signals engine: evaluation, training, the throughput bench and the labelled sets.

Imports the runtime modules of ``herodesk.signals``; no runtime module imports from here.
"""
