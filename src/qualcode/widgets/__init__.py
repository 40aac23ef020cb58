"""The notebook panels (ipywidgets and anywidget): the top layer, beside the command line.

Panels call the Python API; they never run SQL.
"""
