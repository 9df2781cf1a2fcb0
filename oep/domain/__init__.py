"""The domain layer: what the partnership's rules make of the figures, as pure functions.

Owns attendance and SEND shaping (trends, rankings, gaps, needs), the support-category rules and
their run over the store, the disengagement protocol, the data dictionary of measures, and the
shared shapes of rows (periods and areas). Takes frames and returns frames; may import
``oep.data``, never ``oep.present``, ``oep.tools`` or Streamlit.
"""
