# The fields of a dataclass with slots, read and set where its member descriptors say
# they are (included by textfix/_provenance.pyx and textfix/_layout.pyx): an object can
# then be made without its __init__, and its fields read and set without the attribute
# protocol, which looks each name up in the class first.  slot_offsets checks that the
# class is what this assumes.

from cpython.object cimport PyObject

cdef extern from *:
    """
    #include "structmember.h"
    static PyObject* tf_alloc(PyObject* t) {
        return ((PyTypeObject*)t)->tp_alloc((PyTypeObject*)t, 0);
    }
    static void tf_set(PyObject* o, Py_ssize_t off, PyObject* v) {
        Py_INCREF(v);
        *(PyObject**)((char*)o + off) = v;
    }
    static PyObject* tf_get(PyObject* o, Py_ssize_t off) { return *(PyObject**)((char*)o + off); }
    static void tf_replace(PyObject* o, Py_ssize_t off, PyObject* v) {
        PyObject** slot = (PyObject**)((char*)o + off);
        PyObject* old = *slot;
        Py_INCREF(v);
        *slot = v;
        Py_XDECREF(old);
    }
    static Py_ssize_t tf_refcnt(PyObject* o) { return Py_REFCNT(o); }
    static Py_ssize_t tf_member_offset(PyObject* d) { return ((PyMemberDescrObject*)d)->d_member->offset; }
    static int tf_member_plain(PyObject* d) {
        PyMemberDef* m = ((PyMemberDescrObject*)d)->d_member;
        return m->type == T_OBJECT_EX && !(m->flags & READONLY);
    }
    """
    # a fresh object (its slots empty); set a slot of a fresh object; read one
    # (borrowed, NULL if unset); replace one; an object's reference count
    object tf_alloc(object t)
    void tf_set(object o, Py_ssize_t off, object v) noexcept
    PyObject* tf_get(object o, Py_ssize_t off) noexcept
    void tf_replace(object o, Py_ssize_t off, object v) noexcept
    Py_ssize_t tf_refcnt(object o) noexcept
    Py_ssize_t tf_member_offset(object d) noexcept
    int tf_member_plain(object d) noexcept


cdef bint slot_offsets(cls, tuple names, Py_ssize_t* off) except -1:
    """Whether the dataclass ``cls`` has exactly the fields ``names``, in that order, in
    plain object slots (no ``__dict__``, no ``__post_init__``): their offsets then in
    ``off``."""
    from dataclasses import fields
    try:
        fs = fields(cls)
    except TypeError:
        return False
    if tuple([f.name for f in fs]) != names or getattr(cls, "__dictoffset__", 1) != 0 \
            or hasattr(cls, "__post_init__"):
        return False
    for k, f in enumerate(fs):
        d = cls.__dict__.get(f.name)
        if type(d).__name__ != "member_descriptor" or not tf_member_plain(d):
            return False
        off[k] = tf_member_offset(d)
        if not 0 < off[k] < cls.__basicsize__:
            return False
    return True
