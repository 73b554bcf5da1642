"""Switching activity: Liberty Boolean expressions, VCD and SAIF readers, and
probabilistic propagation of (transition density, static probability) through a
linked design."""
