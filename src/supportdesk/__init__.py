"""SupportDesk: one support hub, five help-desk APIs over one data model."""

__version__ = "0.1.0"
