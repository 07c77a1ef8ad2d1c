"""Domain core: pure logic with no Flask, SQLAlchemy or I/O.

Everything here speaks in Unicode code points, end exclusive.
"""
