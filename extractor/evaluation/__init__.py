"""Measuring results against gold annotations."""
