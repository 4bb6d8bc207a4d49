"""herodesk hero signals: intensity, effort, promises, behaviours and contact reasons.

Plain Python with no Django import: functions take plain data and return dataclasses, so the
engine can be tested against published datasets and benchmarked on its own.
"""
