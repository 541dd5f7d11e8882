"""The 2014 framework's module names, so a script written for it runs by replacing the
import prefix ``com.diag.hackamore`` with ``hackamore.compat``::

    from hackamore.compat import File, ModelStandard, View, Manifold, Multiplex, Controller

Each module holds the class of the same name (``ModelStandard.ModelStandard``), with the
old constructor arguments and hook signatures. ``ModelStandard`` is the native model;
with it, the base ``View`` (or none) and the base ``Manifold``, ``Controller.loop`` runs
entirely in Rust. Subclass ``Model``, ``View`` or ``Manifold`` and your methods are
called, as before.
"""
