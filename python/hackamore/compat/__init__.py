"""The 2014 framework's module names, so a script written for it runs by replacing the
import prefix ``com.diag.hackamore`` with ``hackamore.compat``::

    from hackamore.compat import File, ModelStandard, View, Manifold, Multiplex, Controller

Each module holds what the 2014 module of the same name held (``ModelStandard.
ModelStandard``, ``Event.END``, ``End.End``, ``stdio.printf``...), with the same
arguments, return values and hook calls in the same order. ``ModelStandard`` is native
and follows the 2014 rules; with it, the base ``View`` (or none) and the base
``Manifold``, ``Controller.loop`` reads natively, with no Python per event. Subclass
``Model``, ``View``, ``Manifold`` or a source and your methods are called, as before.
docs/compat.md lists where compat differs from the 2014 framework, and why.
"""
