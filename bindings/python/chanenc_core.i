/*
 * chanenc_core.i - SWIG interface of chanenc._core, the private C layer of
 * the chanenc Python package.
 *
 * Users import `chanenc`; this module is its engine room and its names may
 * change. Design:
 *
 *  - Byte buffers cross the boundary through the buffer protocol. The
 *    typemaps below acquire a Py_buffer for the whole C call and release it
 *    afterwards (freearg), so a bytearray cannot be resized or freed while C
 *    reads or writes it.
 *  - Contexts and channels are PyCapsule handles whose destructors free the
 *    C objects. Each handle carries a lock: a ce_ctx is not thread-safe, and
 *    the GIL is released around every C call that does real work.
 *  - C statuses become Python exceptions through ce_py_raise(), which looks
 *    the exception class up in the table that chanenc.errors registers with
 *    set_error_classes() at import time.
 *  - Packet observers and the error callback written in Python are reached
 *    through C trampolines that take the GIL. What the Python code raises is
 *    recorded per thread and handed back to the send/receive call that ran
 *    the observer.
 *  - SFrame (chanenc_sframe.h): contexts and observers are capsules too. The
 *    SFrame observer (chanenc_sframe_observer.h) is registered on a channel
 *    as C callbacks: no Python code and no GIL per packet, only the SFrame
 *    context's lock, so that key changes made from Python (control calls
 *    in C) never run while a packet goes through.
 */
%module(docstring="Private SWIG layer of the chanenc package; import chanenc instead.") _core

%{
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "chanenc.h"
#include "chanenc_channel.h"
/* ce_testing_protect_pn*: protect with a caller-chosen packet number, for
   chanenc.testing only (vectors, conformance); never on Context. */
#include "chanenc_testing.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_observer.h"
/* ce_testing_sframe_*: protect with a caller-chosen CTR, move a send
   counter; for chanenc.testing only. */
#include "chanenc_sframe_testing.h"

#define CE_PY_CTX_CAPSULE "chanenc._core.ctx"
#define CE_PY_CHANNEL_CAPSULE "chanenc._core.channel"
#define CE_PY_SFCTX_CAPSULE "chanenc._core.sframe_ctx"
#define CE_PY_SFOBS_CAPSULE "chanenc._core.sframe_observer"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* {code: exception class}, registered by chanenc.errors. */
static PyObject *ce_py_error_classes = NULL;

/* Raises the exception registered for a ce_status, with a message naming
   the operation and saying what went wrong (text). Always returns NULL. */
static PyObject *ce_py_raise_text(int status, const char *what,
                                  const char *text) {
  PyObject *cls = NULL;
  PyObject *code = PyLong_FromLong(status);
  if (code == NULL)
    return NULL;
  if (ce_py_error_classes != NULL)
    cls = PyDict_GetItemWithError(ce_py_error_classes, code);
  Py_DECREF(code);
  if (cls == NULL) {
    if (PyErr_Occurred())
      return NULL;
    cls = PyExc_RuntimeError;
  }
  PyErr_Format(cls, "%s: %s [%s]", what, text, ce_status_name(status));
  return NULL;
}

/* As ce_py_raise_text with the status's own description. */
static PyObject *ce_py_raise(int status, const char *what) {
  return ce_py_raise_text(status, what, ce_status_str(status));
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

static int ce_py_get_buffer(PyObject *obj, Py_buffer *view, int writable,
                            const char *fn) {
  /* Name errors after the public method: "ctx_protect" -> "protect". */
  if (strncmp(fn, "ctx_", 4) == 0)
    fn += 4;
  else if (strncmp(fn, "testing_", 8) == 0)
    fn += 8;
  else if (strncmp(fn, "channel_", 8) == 0)
    fn += 8;
  else if (strncmp(fn, "sframe_ctx_", 11) == 0)
    fn += 11;
  else if (strncmp(fn, "sframe_", 7) == 0)
    fn += 7;
  if (PyUnicode_Check(obj)) {
    PyErr_Format(PyExc_TypeError,
                 "%s: expected a bytes-like object, not 'str' "
                 "(encode text first, e.g. s.encode())",
                 fn);
    return -1;
  }
  if (PyObject_GetBuffer(obj, view,
                         writable ? PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS
                                  : PyBUF_C_CONTIGUOUS) == 0)
    return 0;
  if (PyErr_ExceptionMatches(PyExc_BufferError) && PyObject_CheckBuffer(obj)) {
    PyErr_Clear();
    if (writable)
      PyErr_Format(PyExc_TypeError,
                   "%s: expected a writable, contiguous buffer "
                   "(bytearray or writable memoryview), not '%.100s'",
                   fn, Py_TYPE(obj)->tp_name);
    else
      PyErr_Format(PyExc_ValueError, "%s: the buffer must be contiguous", fn);
    return -1;
  }
  PyErr_Clear();
  PyErr_Format(PyExc_TypeError,
               writable ? "%s: expected a writable bytes-like object "
                          "(bytearray or writable memoryview), not '%.100s'"
                        : "%s: expected a bytes-like object, not '%.100s'",
               fn, Py_TYPE(obj)->tp_name);
  return -1;
}

/* A packet number for chanenc.testing: an int in 0 .. 2**64 - 1. */
static int ce_py_get_pn(PyObject *obj, uint64_t *pn) {
  unsigned long long v;
  if (!PyLong_Check(obj) || PyBool_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "pn must be an int, not '%.100s'",
                 Py_TYPE(obj)->tp_name);
    return -1;
  }
  v = PyLong_AsUnsignedLongLong(obj);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "pn must be in 0 .. 2**64 - 1");
    return -1;
  }
  *pn = (uint64_t)v;
  return 0;
}

/* Fills a ce_config; returns 1, or 0 with ValueError set. */
static int ce_py_fill_config(ce_config *cfg, int mode, const uint8_t *key,
                             size_t key_len, const uint8_t *salt,
                             size_t salt_len, int datastream, int backend) {
  if (salt_len != CE_SALT_LEN) {
    PyErr_Format(PyExc_ValueError, "salt must be exactly %d bytes, not %zu",
                 CE_SALT_LEN, salt_len);
    return 0;
  }
  ce_config_init(cfg);
  cfg->mode = mode;
  cfg->key = key;
  cfg->key_len = key_len;
  memcpy(cfg->salt, salt, CE_SALT_LEN);
  cfg->datastream_encryption_enabled = datastream ? 1 : 0;
  cfg->backend = backend;
  return 1;
}

/* A fresh bytes object of n bytes (contents undefined). */
static PyObject *ce_py_bytes(size_t n) {
  if (n > (size_t)PY_SSIZE_T_MAX)
    return PyErr_NoMemory();
  return PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
}

/* Shrinks a fresh bytes object to n bytes; steals *obj on failure. */
static PyObject *ce_py_bytes_finish(PyObject *obj, size_t n) {
  if (_PyBytes_Resize(&obj, (Py_ssize_t)n) != 0)
    return NULL;
  return obj;
}

/* ------------------------------------------------------------------ */
/* Context handles                                                     */
/* ------------------------------------------------------------------ */

typedef struct ce_py_ctx {
  ce_ctx *ctx;
  PyThread_type_lock lock; /* a ce_ctx is not thread-safe */
} ce_py_ctx;

static void ce_py_ctx_destroy(PyObject *cap) {
  ce_py_ctx *h = (ce_py_ctx *)PyCapsule_GetPointer(cap, CE_PY_CTX_CAPSULE);
  if (h == NULL) {
    PyErr_Clear();
    return;
  }
  ce_ctx_free(h->ctx);
  if (h->lock != NULL)
    PyThread_free_lock(h->lock);
  PyMem_Free(h);
}

static ce_py_ctx *ce_py_ctx_get(PyObject *cap) {
  ce_py_ctx *h;
  if (!PyCapsule_IsValid(cap, CE_PY_CTX_CAPSULE)) {
    PyErr_SetString(PyExc_TypeError, "expected a chanenc context handle");
    return NULL;
  }
  h = (ce_py_ctx *)PyCapsule_GetPointer(cap, CE_PY_CTX_CAPSULE);
  return h;
}

/* ------------------------------------------------------------------ */
/* Channel handles and the observer trampolines                        */
/* ------------------------------------------------------------------ */

struct ce_py_channel;

/* A Python packet observer: bound methods, NULL where the object has no
   such method (that kind of packet then passes unchanged). */
typedef struct ce_py_observer {
  PyObject *obj;
  PyObject *meth[4]; /* send audio, send video, receive audio, receive video */
  struct ce_py_channel *owner;
} ce_py_observer;

typedef struct ce_py_channel {
  ce_channel *ch;
  ce_py_observer *obs;        /* registered observer, or NULL */
  PyObject *err_fn;           /* registered error callback, or NULL */
  PyObject *sf_ref;           /* registered SFrame observer capsule, or NULL */
  PyThread_type_lock control; /* serialises register/unregister swaps */
} ce_py_channel;

/* Per-thread state of the channel call in progress on this thread. The
   trampolines run on the thread that called send/receive (chanenc_channel.h)
   and store what the Python callback produced here; the send/receive
   wrapper saves, clears and restores these around its C call, so nested
   calls on other channels from inside an observer keep their own state. */
typedef struct ce_py_cb_frame {
  const struct ce_py_channel *ch;
  struct ce_py_cb_frame *prev;
} ce_py_cb_frame;

static _Thread_local PyObject *ce_py_tls_exc;          /* exception raised */
static _Thread_local PyObject *ce_py_tls_keep;         /* replacement packet */
static _Thread_local ce_py_cb_frame *ce_py_tls_frames; /* callbacks running */

static int ce_py_in_callback_of(const ce_py_channel *ch) {
  const ce_py_cb_frame *f;
  for (f = ce_py_tls_frames; f != NULL; f = f->prev)
    if (f->ch == ch)
      return 1;
  return 0;
}

static const char *const ce_py_obs_names[4] = {
    "on_send_audio", "on_send_video", "on_receive_audio", "on_receive_video"};

/* Records the pending Python exception for the running channel call. */
static void ce_py_record_exception(void) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (type == NULL)
    return;
  PyErr_NormalizeException(&type, &value, &tb);
  if (value != NULL && tb != NULL)
    PyException_SetTraceback(value, tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  if (value != NULL)
    Py_XSETREF(ce_py_tls_exc, value);
}

static int ce_py_observe(void *user, ce_packet *pkt, int idx) {
  ce_py_observer *o = (ce_py_observer *)user;
  PyGILState_STATE gil = PyGILState_Ensure();
  ce_py_cb_frame frame;
  PyObject *arg, *res = NULL;
  int keep = 0;

  frame.ch = o->owner;
  frame.prev = ce_py_tls_frames;
  ce_py_tls_frames = &frame;

  arg = PyBytes_FromStringAndSize((const char *)pkt->buffer,
                                  (Py_ssize_t)pkt->size);
  if (arg != NULL) {
    res = PyObject_CallOneArg(o->meth[idx], arg);
    Py_DECREF(arg);
  }
  if (res == NULL)
    goto fail;
  if (res == Py_None || res == Py_False) {
    keep = 0;
  } else if (res == Py_True) {
    keep = 1;
  } else if (PyObject_CheckBuffer(res)) {
    PyObject *b = PyBytes_Check(res) ? Py_NewRef(res) : PyBytes_FromObject(res);
    if (b == NULL)
      goto fail;
    if ((size_t)PyBytes_GET_SIZE(b) > UINT_MAX) {
      Py_ssize_t n = PyBytes_GET_SIZE(b);
      Py_DECREF(b);
      PyErr_Format(PyExc_ValueError,
                   "%s returned %zd bytes, more than a packet can hold",
                   ce_py_obs_names[idx], n);
      goto fail;
    }
    /* Kept alive until the send/receive call returns. */
    Py_XSETREF(ce_py_tls_keep, b);
    pkt->buffer = (const unsigned char *)PyBytes_AS_STRING(b);
    pkt->size = (unsigned)PyBytes_GET_SIZE(b);
    keep = 1;
  } else {
    PyErr_Format(PyExc_TypeError,
                 "%s must return None or False (drop), True (keep) or "
                 "bytes (replace), not '%.100s'",
                 ce_py_obs_names[idx], Py_TYPE(res)->tp_name);
    goto fail;
  }
  Py_DECREF(res);
  ce_py_tls_frames = frame.prev;
  PyGILState_Release(gil);
  return keep;

fail:
  Py_XDECREF(res);
  ce_py_record_exception();
  /* A kept packet with no buffer: the channel reports CE_ERR_OBSERVER. */
  pkt->buffer = NULL;
  pkt->size = 1;
  ce_py_tls_frames = frame.prev;
  PyGILState_Release(gil);
  return 1;
}

static int ce_py_on_send_audio(void *u, ce_packet *p) {
  return ce_py_observe(u, p, 0);
}
static int ce_py_on_send_video(void *u, ce_packet *p) {
  return ce_py_observe(u, p, 1);
}
static int ce_py_on_receive_audio(void *u, ce_packet *p) {
  return ce_py_observe(u, p, 2);
}
static int ce_py_on_receive_video(void *u, ce_packet *p) {
  return ce_py_observe(u, p, 3);
}

static void ce_py_on_error(void *user, int error_type, int status) {
  ce_py_channel *h = (ce_py_channel *)user;
  PyGILState_STATE gil = PyGILState_Ensure();
  ce_py_cb_frame frame;
  PyObject *res;

  frame.ch = h;
  frame.prev = ce_py_tls_frames;
  ce_py_tls_frames = &frame;
  if (h->err_fn != NULL) {
    PyObject *fn = Py_NewRef(h->err_fn);
    res = PyObject_CallFunction(fn, "ii", error_type, status);
    if (res == NULL)
      PyErr_WriteUnraisable(fn);
    Py_XDECREF(res);
    Py_DECREF(fn);
  }
  ce_py_tls_frames = frame.prev;
  PyGILState_Release(gil);
}

static void ce_py_observer_free(ce_py_observer *o) {
  int i;
  if (o == NULL)
    return;
  for (i = 0; i < 4; i++)
    Py_XDECREF(o->meth[i]);
  Py_XDECREF(o->obj);
  PyMem_Free(o);
}

static void ce_py_channel_destroy(PyObject *cap) {
  ce_py_channel *h =
      (ce_py_channel *)PyCapsule_GetPointer(cap, CE_PY_CHANNEL_CAPSULE);
  if (h == NULL) {
    PyErr_Clear();
    return;
  }
  /* The channel goes first: after ce_channel_free no callback can run. */
  ce_channel_free(h->ch);
  ce_py_observer_free(h->obs);
  Py_XDECREF(h->sf_ref);
  Py_XDECREF(h->err_fn);
  if (h->control != NULL)
    PyThread_free_lock(h->control);
  PyMem_Free(h);
}

static ce_py_channel *ce_py_channel_get(PyObject *cap) {
  if (!PyCapsule_IsValid(cap, CE_PY_CHANNEL_CAPSULE)) {
    PyErr_SetString(PyExc_TypeError, "expected a chanenc channel handle");
    return NULL;
  }
  return (ce_py_channel *)PyCapsule_GetPointer(cap, CE_PY_CHANNEL_CAPSULE);
}

/* Refuses a control call made from one of this channel's own callbacks
   before it could wait for a lock that this very thread holds. */
static int ce_py_channel_check_reentry(const ce_py_channel *h, const char *fn) {
  if (ce_py_in_callback_of(h)) {
    ce_py_raise(CE_ERR_INVALID_ARGUMENT, fn);
    return -1;
  }
  return 0;
}

static void ce_py_channel_lock(ce_py_channel *h) {
  PyThreadState *ts;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->control, WAIT_LOCK);
  PyEval_RestoreThread(ts);
}
%}

%init %{
PyModule_AddStringConstant(
    m, "__doc__",
    "Private SWIG layer of the chanenc package; import chanenc instead.");
%}

/* ------------------------------------------------------------------ */
/* Typemaps                                                            */
/* ------------------------------------------------------------------ */

/* Read-only bytes-like input, held for the whole call. */
%typemap(in) (const uint8_t *IN, size_t IN_LEN) (Py_buffer view, int got = 0) {
  if (ce_py_get_buffer($input, &view, 0, "$symname") < 0)
    SWIG_fail;
  got = 1;
  $1 = (uint8_t *)view.buf;
  $2 = (size_t)view.len;
}
%typemap(freearg) (const uint8_t *IN, size_t IN_LEN) {
  if (got$argnum)
    PyBuffer_Release(&view$argnum);
}

/* As IN, but None gives (NULL, 0). */
%typemap(in) (const uint8_t *OPT_IN, size_t OPT_LEN) (Py_buffer view, int got = 0) {
  if ($input == Py_None) {
    $1 = NULL;
    $2 = 0;
  } else {
    if (ce_py_get_buffer($input, &view, 0, "$symname") < 0)
      SWIG_fail;
    got = 1;
    $1 = (uint8_t *)view.buf;
    $2 = (size_t)view.len;
  }
}
%typemap(freearg) (const uint8_t *OPT_IN, size_t OPT_LEN) {
  if (got$argnum)
    PyBuffer_Release(&view$argnum);
}

/* Writable buffer (bytearray, writable memoryview), held for the call. */
%typemap(in) (uint8_t *RW, size_t RW_CAP) (Py_buffer view, int got = 0) {
  if (ce_py_get_buffer($input, &view, 1, "$symname") < 0)
    SWIG_fail;
  got = 1;
  $1 = (uint8_t *)view.buf;
  $2 = (size_t)view.len;
}
%typemap(freearg) (uint8_t *RW, size_t RW_CAP) {
  if (got$argnum)
    PyBuffer_Release(&view$argnum);
}

/* Sizes and counts: a negative Python int is a ValueError. */
%typemap(in) size_t COUNT {
  if (!PyLong_Check($input)) {
    PyErr_Format(PyExc_TypeError, "$symname: expected an int, not '%.100s'",
                 Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  $1 = PyLong_AsSize_t($input);
  if ($1 == (size_t)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "$symname: expected a non-negative size");
    SWIG_fail;
  }
}

/* ------------------------------------------------------------------ */
/* Constants and the simple functions of chanenc.h                     */
/* ------------------------------------------------------------------ */

%include <stdint.i>

/* Wrapped by hand below (pointers and lengths), or not for Python. */
%ignore ce_config;
%ignore ce_derived;
%ignore ce_config_init;
%ignore ce_config_set_key_str;
%ignore ce_config_set_salt_base64;
%ignore ce_config_check;
%ignore ce_config_set_backend;
%ignore ce_backend_select;
%ignore ce_ctx_backend;
%ignore ce_derive;
%ignore ce_wipe;
%ignore ce_ctx_new;
%ignore ce_ctx_free;
%ignore ce_ctx_mode;
%ignore ce_ctx_check;
%ignore ce_ctx_next_pn;
%ignore ce_protect;
%ignore ce_unprotect;
%ignore ce_protect_into;
/* Gone from chanenc.h (now ce_testing_protect_pn* in chanenc_testing.h,
   which is not %included); ignored here too so that no packet-number
   setter can ever appear in _core through an older header. */
%ignore ce_protect_pn;
%ignore ce_protect_pn_into;
%ignore ce_unprotect_into;
%ignore ce_ecb_crypt;
%ignore ce_xts_crypt;
%ignore ce_gcm_encrypt;
%ignore ce_gcm_decrypt;
%ignore ce_hkdf_sha256;
%ignore ce_hkdf_sha256_extract;
%ignore ce_hkdf_sha256_expand;
%ignore ce_pbkdf2_sha256;
%ignore ce_status_from_name;
%ignore ce_packet;
%ignore ce_packet_observer;
%ignore ce_channel_error_fn;
%ignore ce_channel_kind_counters;
%ignore ce_channel_counters;
%ignore ce_channel_new;
%ignore ce_channel_free;
%ignore ce_channel_enable_encryption;
%ignore ce_channel_register_packet_observer;
%ignore ce_channel_set_error_callback;
%ignore ce_channel_set_max_wire_size;
%ignore ce_channel_join;
%ignore ce_channel_leave;
%ignore ce_channel_send;
%ignore ce_channel_receive;
%ignore ce_channel_get_counters;

#define CE_API
%include "chanenc.h"
%include "chanenc_channel.h"

/* ------------------------------------------------------------------ */
/* Hand-written layer                                                  */
/* ------------------------------------------------------------------ */

%apply (const uint8_t *IN, size_t IN_LEN) {
  (const uint8_t *key, size_t key_len),
  (const uint8_t *salt, size_t salt_len),
  (const uint8_t *data, size_t data_len),
  (const uint8_t *tweak, size_t tweak_len),
  (const uint8_t *iv, size_t iv_len),
  (const uint8_t *aad, size_t aad_len),
  (const uint8_t *tag, size_t tag_len),
  (const uint8_t *ikm, size_t ikm_len),
  (const uint8_t *info, size_t info_len),
  (const uint8_t *prk, size_t prk_len),
  (const uint8_t *password, size_t password_len)
};
%apply (const uint8_t *OPT_IN, size_t OPT_LEN) {
  (const uint8_t *opt_salt, size_t opt_salt_len)
};
%apply (uint8_t *RW, size_t RW_CAP) {
  (uint8_t *out, size_t out_cap),
  (uint8_t *buf, size_t buf_cap)
};
%apply size_t COUNT { size_t length, size_t tag_length, size_t max_size, size_t headroom };

%{
/* The three protect paths, with the context's packet number (have_pn 0:
   chanenc.Context) or with a caller-chosen one (have_pn 1: chanenc.testing,
   through the testing interface of chanenc_testing.h). */
static PyObject *ce_py_protect_copy(PyObject *handle, int have_pn,
                                    uint64_t pn, const uint8_t *data,
                                    size_t data_len, const char *what) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  PyObject *out;
  size_t out_len;
  ce_status st;
  if (h == NULL)
    return NULL;
  out_len = data_len + CE_MAX_OVERHEAD;
  out = ce_py_bytes(out_len);
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  if (have_pn)
    st = ce_testing_protect_pn_into(h->ctx, pn, data, data_len,
                                    (uint8_t *)PyBytes_AS_STRING(out),
                                    &out_len);
  else
    st = ce_protect_into(h->ctx, data, data_len,
                         (uint8_t *)PyBytes_AS_STRING(out), &out_len);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, what);
  }
  return ce_py_bytes_finish(out, out_len);
}

static PyObject *ce_py_protect_into(PyObject *handle, int have_pn,
                                    uint64_t pn, const uint8_t *data,
                                    size_t data_len, uint8_t *out,
                                    size_t out_cap, const char *what) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  size_t out_len = out_cap;
  ce_status st;
  if (h == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  if (have_pn)
    st = ce_testing_protect_pn_into(h->ctx, pn, data, data_len, out,
                                    &out_len);
  else
    st = ce_protect_into(h->ctx, data, data_len, out, &out_len);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, what);
  return PyLong_FromSize_t(out_len);
}

static PyObject *ce_py_protect_inplace(PyObject *handle, int have_pn,
                                       uint64_t pn, uint8_t *buf,
                                       size_t buf_cap, size_t length,
                                       const char *what) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  size_t len = length;
  ce_status st;
  if (h == NULL)
    return NULL;
  if (length > buf_cap) {
    PyErr_Format(PyExc_ValueError,
                 "%s: length %zu exceeds the buffer size %zu", what, length,
                 buf_cap);
    return NULL;
  }
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  if (have_pn)
    st = ce_testing_protect_pn(h->ctx, pn, buf, &len, buf_cap);
  else
    st = ce_protect(h->ctx, buf, &len, buf_cap);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, what);
  return PyLong_FromSize_t(len);
}
%}

%inline %{
/* Registers {status code: exception class}; called by chanenc.errors. */
PyObject *set_error_classes(PyObject *table) {
  if (!PyDict_Check(table)) {
    PyErr_SetString(PyExc_TypeError, "expected a dict");
    return NULL;
  }
  Py_XSETREF(ce_py_error_classes, Py_NewRef(table));
  Py_RETURN_NONE;
}

/* ce_status_from_name as an int, or None when unknown. */
PyObject *status_from_name(const char *name) {
  int status = 0;
  if (name == NULL || !ce_status_from_name(name, &status))
    Py_RETURN_NONE;
  return PyLong_FromLong(status);
}

/* ce_config_check on a config given field by field. */
PyObject *config_check(int mode, const uint8_t *key, size_t key_len,
                       const uint8_t *salt, size_t salt_len, int datastream,
                       int backend) {
  ce_config cfg;
  ce_status st;
  if (!ce_py_fill_config(&cfg, mode, key, key_len, salt, salt_len, datastream,
                         backend))
    return NULL;
  st = ce_config_check(&cfg);
  if (st != CE_OK)
    return ce_py_raise(st, "config");
  Py_RETURN_NONE;
}

/* Decodes a base64 salt as ce_config_set_salt_base64 does; 32 bytes. */
PyObject *salt_from_base64(const char *b64) {
  ce_config cfg;
  ce_status st;
  ce_config_init(&cfg);
  st = ce_config_set_salt_base64(&cfg, b64);
  if (st != CE_OK)
    return ce_py_raise(st, "salt (base64 of exactly 32 bytes expected)");
  return PyBytes_FromStringAndSize((const char *)cfg.salt, CE_SALT_LEN);
}

/* ce_derive: (enc_key, iv_base or None, check). */
PyObject *derive(int mode, const uint8_t *key, size_t key_len,
                 const uint8_t *salt, size_t salt_len, int datastream,
                 int backend) {
  PyThreadState *ts;
  ce_config cfg;
  ce_derived d;
  ce_status st;
  PyObject *res;
  if (!ce_py_fill_config(&cfg, mode, key, key_len, salt, salt_len, datastream,
                         backend))
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_derive(&cfg, &d);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "derive");
  if (d.has_iv_base)
    res = Py_BuildValue("(y#y#i)", (const char *)d.enc_key,
                        (Py_ssize_t)d.enc_key_len, (const char *)d.iv_base,
                        (Py_ssize_t)CE_IV_BASE_LEN, (int)d.check);
  else
    res = Py_BuildValue("(y#Oi)", (const char *)d.enc_key,
                        (Py_ssize_t)d.enc_key_len, Py_None, (int)d.check);
  ce_wipe(&d, sizeof d);
  return res;
}

/* ce_ctx_new: a context handle. Runs the key schedule without the GIL. */
PyObject *ctx_new(int mode, const uint8_t *key, size_t key_len,
                  const uint8_t *salt, size_t salt_len, int datastream,
                  int backend) {
  PyThreadState *ts;
  ce_config cfg;
  ce_status st;
  ce_ctx *ctx = NULL;
  ce_py_ctx *h;
  PyObject *cap;
  if (!ce_py_fill_config(&cfg, mode, key, key_len, salt, salt_len, datastream,
                         backend))
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_ctx_new(&cfg, &ctx);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "context");
  h = (ce_py_ctx *)PyMem_Calloc(1, sizeof *h);
  if (h == NULL || (h->lock = PyThread_allocate_lock()) == NULL) {
    PyMem_Free(h);
    ce_ctx_free(ctx);
    return PyErr_NoMemory();
  }
  h->ctx = ctx;
  cap = PyCapsule_New(h, CE_PY_CTX_CAPSULE, ce_py_ctx_destroy);
  if (cap == NULL) {
    ce_ctx_free(ctx);
    PyThread_free_lock(h->lock);
    PyMem_Free(h);
  }
  return cap;
}

/* ce_backend_select: the backend id a context of mode would get from the
   choice backend, or the exception of the refusal. */
PyObject *backend_select(int backend, int mode) {
  int out = 0;
  ce_status st = ce_backend_select(backend, mode, &out);
  if (st == CE_ERR_NOT_SUPPORTED) {
    const char *bn = ce_backend_name(backend), *mn = ce_mode_name(mode);
    char text[200];
    snprintf(text, sizeof text,
             "backend %s cannot serve %s here (not built in, not usable on "
             "this CPU, or not for this mode)",
             bn ? bn : "?", mn ? mn : "?");
    return ce_py_raise_text(st, "backend", text);
  }
  if (st != CE_OK)
    return ce_py_raise(st, "backend");
  return PyLong_FromLong(out);
}

/* ce_ctx_backend: the name of the backend that runs a context. */
PyObject *ctx_backend(PyObject *handle) {
  ce_py_ctx *h = ce_py_ctx_get(handle);
  if (h == NULL)
    return NULL;
  /* A read-only query: allowed while another thread uses the context. */
  return PyUnicode_FromString(ce_ctx_backend(h->ctx));
}

/* (mode, check byte, next packet number) of a context. */
PyObject *ctx_info(PyObject *handle) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  int mode;
  unsigned check;
  unsigned long long pn;
  if (h == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  mode = ce_ctx_mode(h->ctx);
  check = ce_ctx_check(h->ctx);
  pn = ce_ctx_next_pn(h->ctx);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  return Py_BuildValue("(iIK)", mode, check, pn);
}

/* Copying protect: a new bytes object holding the frame. */
PyObject *ctx_protect(PyObject *handle, const uint8_t *data, size_t data_len) {
  return ce_py_protect_copy(handle, 0, 0, data, data_len, "protect");
}

/* chanenc.testing.protect_with_pn: as ctx_protect, with packet number pn
   (the context's own counter is neither used nor advanced). */
PyObject *testing_protect_pn(PyObject *handle, PyObject *pn_obj,
                             const uint8_t *data, size_t data_len) {
  uint64_t pn;
  if (ce_py_get_pn(pn_obj, &pn) < 0)
    return NULL;
  return ce_py_protect_copy(handle, 1, pn, data, data_len, "protect_with_pn");
}

/* Copying unprotect: a new bytes object holding the payload. */
PyObject *ctx_unprotect(PyObject *handle, const uint8_t *data,
                        size_t data_len) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  PyObject *out;
  size_t out_len = data_len;
  ce_status st;
  if (h == NULL)
    return NULL;
  out = ce_py_bytes(out_len);
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  st = ce_unprotect_into(h->ctx, data, data_len,
                         (uint8_t *)PyBytes_AS_STRING(out), &out_len);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "unprotect");
  }
  return ce_py_bytes_finish(out, out_len);
}

/* Out-of-place protect into a caller buffer; returns the frame length.
   data and out may be the same buffer. */
PyObject *ctx_protect_into(PyObject *handle, const uint8_t *data,
                           size_t data_len, uint8_t *out, size_t out_cap) {
  return ce_py_protect_into(handle, 0, 0, data, data_len, out, out_cap,
                            "protect_into");
}

/* chanenc.testing.protect_into_with_pn. */
PyObject *testing_protect_pn_into(PyObject *handle, PyObject *pn_obj,
                                  const uint8_t *data, size_t data_len,
                                  uint8_t *out, size_t out_cap) {
  uint64_t pn;
  if (ce_py_get_pn(pn_obj, &pn) < 0)
    return NULL;
  return ce_py_protect_into(handle, 1, pn, data, data_len, out, out_cap,
                            "protect_into_with_pn");
}

/* Out-of-place unprotect into a caller buffer; returns the payload
   length. */
PyObject *ctx_unprotect_into(PyObject *handle, const uint8_t *data,
                             size_t data_len, uint8_t *out, size_t out_cap) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  size_t out_len = out_cap;
  ce_status st;
  if (h == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  st = ce_unprotect_into(h->ctx, data, data_len, out, &out_len);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "unprotect_into");
  return PyLong_FromSize_t(out_len);
}

/* In-place protect of buf[0:length]; capacity len(buf). Returns the frame
   length. */
PyObject *ctx_protect_inplace(PyObject *handle, uint8_t *buf, size_t buf_cap,
                              size_t length) {
  return ce_py_protect_inplace(handle, 0, 0, buf, buf_cap, length,
                               "protect_inplace");
}

/* chanenc.testing.protect_inplace_with_pn. */
PyObject *testing_protect_pn_inplace(PyObject *handle, PyObject *pn_obj,
                                     uint8_t *buf, size_t buf_cap,
                                     size_t length) {
  uint64_t pn;
  if (ce_py_get_pn(pn_obj, &pn) < 0)
    return NULL;
  return ce_py_protect_inplace(handle, 1, pn, buf, buf_cap, length,
                               "protect_inplace_with_pn");
}

/* In-place unprotect of buf[0:length]. Returns the payload length. */
PyObject *ctx_unprotect_inplace(PyObject *handle, uint8_t *buf, size_t buf_cap,
                                size_t length) {
  PyThreadState *ts;
  ce_py_ctx *h = ce_py_ctx_get(handle);
  size_t len = length;
  ce_status st;
  if (h == NULL)
    return NULL;
  if (length > buf_cap) {
    PyErr_Format(PyExc_ValueError,
                 "unprotect_inplace: length %zu exceeds the buffer size %zu",
                 length, buf_cap);
    return NULL;
  }
  ts = PyEval_SaveThread();
  PyThread_acquire_lock(h->lock, WAIT_LOCK);
  st = ce_unprotect(h->ctx, buf, &len);
  PyThread_release_lock(h->lock);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "unprotect_inplace");
  return PyLong_FromSize_t(len);
}

/* ---- primitives ---- */

PyObject *ecb_crypt(int cipher, int encrypt, const uint8_t *key, size_t key_len,
                    const uint8_t *data, size_t data_len) {
  PyThreadState *ts;
  PyObject *out = ce_py_bytes(data_len);
  ce_status st;
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_ecb_crypt((ce_block_cipher)cipher, encrypt, key, key_len, data,
                    data_len, (uint8_t *)PyBytes_AS_STRING(out));
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, encrypt ? "ecb_encrypt" : "ecb_decrypt");
  }
  return out;
}

/* Applies ce_ecb_crypt `length` times to data, in place (in == out), as
   the iterated examples of GB/T 32907 do; returns the final block(s). */
PyObject *ecb_iterate(int cipher, int encrypt, const uint8_t *key,
                      size_t key_len, const uint8_t *data, size_t data_len,
                      size_t length) {
  PyThreadState *ts;
  PyObject *out = ce_py_bytes(data_len);
  uint8_t *p;
  ce_status st = CE_OK;
  size_t i;
  if (out == NULL)
    return NULL;
  p = (uint8_t *)PyBytes_AS_STRING(out);
  if (data_len > 0)
    memcpy(p, data, data_len);
  ts = PyEval_SaveThread();
  for (i = 0; i < length && st == CE_OK; i++)
    st = ce_ecb_crypt((ce_block_cipher)cipher, encrypt, key, key_len, p,
                      data_len, p);
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "ecb_iterate");
  }
  return out;
}

PyObject *xts_crypt(int encrypt, const uint8_t *key, size_t key_len,
                    const uint8_t *tweak, size_t tweak_len, const uint8_t *data,
                    size_t data_len) {
  PyThreadState *ts;
  PyObject *out;
  ce_status st;
  if (tweak_len != 16) {
    PyErr_Format(PyExc_ValueError, "tweak must be 16 bytes, not %zu",
                 tweak_len);
    return NULL;
  }
  out = ce_py_bytes(data_len);
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_xts_crypt(encrypt, key, key_len, tweak, data, data_len,
                    (uint8_t *)PyBytes_AS_STRING(out));
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, encrypt ? "xts_encrypt" : "xts_decrypt");
  }
  return out;
}

/* (ciphertext, tag) */
PyObject *gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len,
                      const uint8_t *data, size_t data_len, size_t tag_length) {
  PyThreadState *ts;
  PyObject *out, *tag, *res;
  ce_status st;
  if (tag_length < 1 || tag_length > 16) {
    PyErr_Format(PyExc_ValueError, "tag length must be 1..16, not %zu",
                 tag_length);
    return NULL;
  }
  out = ce_py_bytes(data_len);
  tag = ce_py_bytes(tag_length);
  if (out == NULL || tag == NULL) {
    Py_XDECREF(out);
    Py_XDECREF(tag);
    return NULL;
  }
  ts = PyEval_SaveThread();
  st = ce_gcm_encrypt(key, key_len, iv, iv_len, aad, aad_len, data, data_len,
                      (uint8_t *)PyBytes_AS_STRING(out),
                      (uint8_t *)PyBytes_AS_STRING(tag), tag_length);
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    Py_DECREF(tag);
    return ce_py_raise(st, "gcm_encrypt");
  }
  res = PyTuple_Pack(2, out, tag);
  Py_DECREF(out);
  Py_DECREF(tag);
  return res;
}

PyObject *gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len,
                      const uint8_t *data, size_t data_len, const uint8_t *tag,
                      size_t tag_len) {
  PyThreadState *ts;
  PyObject *out = ce_py_bytes(data_len);
  ce_status st;
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_gcm_decrypt(key, key_len, iv, iv_len, aad, aad_len, data, data_len,
                      tag, tag_len, (uint8_t *)PyBytes_AS_STRING(out));
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "gcm_decrypt");
  }
  return out;
}

PyObject *hkdf_sha256(const uint8_t *opt_salt, size_t opt_salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                      size_t info_len, size_t length) {
  PyObject *out = ce_py_bytes(length);
  ce_status st;
  if (out == NULL)
    return NULL;
  st = ce_hkdf_sha256(opt_salt, opt_salt_len, ikm, ikm_len, info, info_len,
                      (uint8_t *)PyBytes_AS_STRING(out), length);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "hkdf_sha256");
  }
  return out;
}

PyObject *hkdf_sha256_extract(const uint8_t *opt_salt, size_t opt_salt_len,
                              const uint8_t *ikm, size_t ikm_len) {
  uint8_t prk[32];
  ce_status st =
      ce_hkdf_sha256_extract(opt_salt, opt_salt_len, ikm, ikm_len, prk);
  PyObject *res;
  if (st != CE_OK)
    return ce_py_raise(st, "hkdf_sha256_extract");
  res = PyBytes_FromStringAndSize((const char *)prk, 32);
  ce_wipe(prk, sizeof prk);
  return res;
}

PyObject *hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                             const uint8_t *info, size_t info_len,
                             size_t length) {
  PyObject *out = ce_py_bytes(length);
  ce_status st;
  if (out == NULL)
    return NULL;
  st = ce_hkdf_sha256_expand(prk, prk_len, info, info_len,
                             (uint8_t *)PyBytes_AS_STRING(out), length);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "hkdf_sha256_expand");
  }
  return out;
}

PyObject *pbkdf2_sha256(const uint8_t *password, size_t password_len,
                        const uint8_t *salt, size_t salt_len,
                        unsigned long iterations, size_t length) {
  PyThreadState *ts;
  PyObject *out;
  ce_status st;
  if (iterations > UINT32_MAX) {
    PyErr_SetString(PyExc_ValueError, "iterations must be below 2**32");
    return NULL;
  }
  out = ce_py_bytes(length);
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_pbkdf2_sha256(password, password_len, salt, salt_len,
                        (uint32_t)iterations, (uint8_t *)PyBytes_AS_STRING(out),
                        length);
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, "pbkdf2_sha256");
  }
  return out;
}

/* ---- channel ---- */

PyObject *channel_new(void) {
  ce_py_channel *h = (ce_py_channel *)PyMem_Calloc(1, sizeof *h);
  ce_status st;
  PyObject *cap;
  if (h == NULL || (h->control = PyThread_allocate_lock()) == NULL) {
    PyMem_Free(h);
    return PyErr_NoMemory();
  }
  st = ce_channel_new(&h->ch);
  if (st != CE_OK) {
    PyThread_free_lock(h->control);
    PyMem_Free(h);
    return ce_py_raise(st, "channel");
  }
  cap = PyCapsule_New(h, CE_PY_CHANNEL_CAPSULE, ce_py_channel_destroy);
  if (cap == NULL) {
    ce_channel_free(h->ch);
    PyThread_free_lock(h->control);
    PyMem_Free(h);
  }
  return cap;
}

/* ce_channel_enable_encryption: returns the SDK code (0, -1, -2, -4). */
PyObject *channel_enable_encryption(PyObject *handle, int enabled, int mode,
                                    const uint8_t *key, size_t key_len,
                                    const uint8_t *salt, size_t salt_len,
                                    int datastream, int backend) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  ce_config cfg;
  int rc;
  if (h == NULL)
    return NULL;
  if (ce_py_in_callback_of(h))
    return PyLong_FromLong(CE_SDK_ERR_INVALID_ARGUMENT);
  if (!ce_py_fill_config(&cfg, mode, key, key_len, salt, salt_len, datastream,
                         backend))
    return NULL;
  ts = PyEval_SaveThread();
  rc = ce_channel_enable_encryption(h->ch, enabled, enabled ? &cfg : NULL);
  PyEval_RestoreThread(ts);
  return PyLong_FromLong(rc);
}

/* Registers a Python packet observer (an object with any of the methods
   on_send_audio, on_send_video, on_receive_audio, on_receive_video), or
   unregisters with None. */
PyObject *channel_set_observer(PyObject *handle, PyObject *obj) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  ce_py_observer *o = NULL, *old;
  PyObject *sf_old = NULL;
  ce_packet_observer cobs;
  ce_status st;
  int i, any = 0;
  if (h == NULL || ce_py_channel_check_reentry(h, "set_packet_observer") < 0)
    return NULL;
  memset(&cobs, 0, sizeof cobs);
  if (obj != Py_None) {
    o = (ce_py_observer *)PyMem_Calloc(1, sizeof *o);
    if (o == NULL)
      return PyErr_NoMemory();
    o->obj = Py_NewRef(obj);
    o->owner = h;
    for (i = 0; i < 4; i++) {
      PyObject *m = PyObject_GetAttrString(obj, ce_py_obs_names[i]);
      if (m == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
          ce_py_observer_free(o);
          return NULL;
        }
        PyErr_Clear();
        continue;
      }
      if (m == Py_None) {
        Py_DECREF(m);
        continue;
      }
      if (!PyCallable_Check(m)) {
        PyErr_Format(PyExc_TypeError, "observer.%s is not callable",
                     ce_py_obs_names[i]);
        Py_DECREF(m);
        ce_py_observer_free(o);
        return NULL;
      }
      o->meth[i] = m;
      any = 1;
    }
    if (!any) {
      ce_py_observer_free(o);
      PyErr_SetString(PyExc_TypeError,
                      "a packet observer needs at least one of the methods "
                      "on_send_audio, on_send_video, on_receive_audio, "
                      "on_receive_video");
      return NULL;
    }
    cobs.on_send_audio = o->meth[0] ? ce_py_on_send_audio : NULL;
    cobs.on_send_video = o->meth[1] ? ce_py_on_send_video : NULL;
    cobs.on_receive_audio = o->meth[2] ? ce_py_on_receive_audio : NULL;
    cobs.on_receive_video = o->meth[3] ? ce_py_on_receive_video : NULL;
  }
  ce_py_channel_lock(h);
  ts = PyEval_SaveThread();
  st = ce_channel_register_packet_observer(h->ch, o ? &cobs : NULL, o);
  PyEval_RestoreThread(ts);
  if (st == CE_OK) {
    old = h->obs;
    h->obs = o;
    o = old; /* no longer in use: freed below */
    sf_old = h->sf_ref;
    h->sf_ref = NULL;
  }
  PyThread_release_lock(h->control);
  ce_py_observer_free(o);
  Py_XDECREF(sf_old);
  if (st != CE_OK)
    return ce_py_raise(st, "set_packet_observer");
  Py_RETURN_NONE;
}

/* Sets (callable) or clears (None) the error callback fn(type, status). */
PyObject *channel_set_error_callback(PyObject *handle, PyObject *fn) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  PyObject *old;
  ce_status st;
  if (h == NULL || ce_py_channel_check_reentry(h, "set_error_callback") < 0)
    return NULL;
  if (fn != Py_None && !PyCallable_Check(fn)) {
    PyErr_Format(PyExc_TypeError,
                 "the error callback must be callable or None, not '%.100s'",
                 Py_TYPE(fn)->tp_name);
    return NULL;
  }
  ce_py_channel_lock(h);
  if (fn == Py_None) {
    ts = PyEval_SaveThread();
    st = ce_channel_set_error_callback(h->ch, NULL, NULL);
    PyEval_RestoreThread(ts);
    if (st == CE_OK) {
      old = h->err_fn;
      h->err_fn = NULL;
      Py_XDECREF(old);
    }
  } else {
    /* The C callback reads h->err_fn; swap it while the C side cannot
       call it (callback cleared), then install the trampoline. */
    ts = PyEval_SaveThread();
    st = ce_channel_set_error_callback(h->ch, NULL, NULL);
    PyEval_RestoreThread(ts);
    if (st == CE_OK) {
      old = h->err_fn;
      h->err_fn = Py_NewRef(fn);
      Py_XDECREF(old);
      ts = PyEval_SaveThread();
      st = ce_channel_set_error_callback(h->ch, ce_py_on_error, h);
      PyEval_RestoreThread(ts);
    }
  }
  PyThread_release_lock(h->control);
  if (st != CE_OK)
    return ce_py_raise(st, "set_error_callback");
  Py_RETURN_NONE;
}

/* join (what 1), leave (what 2), set_max_wire_size (what 3, max_size). */
PyObject *channel_control(PyObject *handle, int what, size_t max_size) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  ce_status st = CE_ERR_INVALID_ARGUMENT;
  const char *name = what == 1   ? "join"
                     : what == 2 ? "leave"
                                 : "set_max_wire_size";
  if (h == NULL || ce_py_channel_check_reentry(h, name) < 0)
    return NULL;
  ts = PyEval_SaveThread();
  if (what == 1)
    st = ce_channel_join(h->ch);
  else if (what == 2)
    st = ce_channel_leave(h->ch);
  else if (what == 3)
    st = ce_channel_set_max_wire_size(h->ch, max_size);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, name);
  Py_RETURN_NONE;
}

/* Sends (send != 0) or receives one packet. Returns (status, bytes or
   None, exception or None): status 0 with the result, CE_DROPPED (1) with
   None, or a negative status with the exception the observer raised (if
   any). `headroom` is the room left for an observer that enlarges the
   packet on send. */
PyObject *channel_transfer(PyObject *handle, int send, int kind,
                           const uint8_t *data, size_t data_len,
                           size_t headroom) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  PyObject *saved_exc, *saved_keep, *exc, *keep, *res;
  uint8_t *buf;
  size_t cap, len = data_len;
  ce_status st;
  if (h == NULL)
    return NULL;
  if (send)
    cap = data_len + CE_MAX_OVERHEAD + headroom;
  else
    cap = (data_len > CE_MAX_PAYLOAD ? data_len : CE_MAX_PAYLOAD) + headroom;
  if (cap < data_len)
    return PyErr_NoMemory();
  buf = (uint8_t *)PyMem_Malloc(cap ? cap : 1);
  if (buf == NULL)
    return PyErr_NoMemory();
  if (data_len > 0)
    memcpy(buf, data, data_len);

  saved_exc = ce_py_tls_exc;
  saved_keep = ce_py_tls_keep;
  ce_py_tls_exc = NULL;
  ce_py_tls_keep = NULL;
  ts = PyEval_SaveThread();
  if (send)
    st = ce_channel_send(h->ch, (ce_packet_kind)kind, buf, &len, cap);
  else
    st = ce_channel_receive(h->ch, (ce_packet_kind)kind, buf, &len, cap);
  PyEval_RestoreThread(ts);
  exc = ce_py_tls_exc;
  keep = ce_py_tls_keep;
  ce_py_tls_exc = saved_exc;
  ce_py_tls_keep = saved_keep;
  Py_XDECREF(keep);

  if (st == CE_OK)
    res = Py_BuildValue("(iy#O)", (int)st, (const char *)buf, (Py_ssize_t)len,
                        Py_None);
  else
    res = Py_BuildValue("(iOO)", (int)st, Py_None, exc ? exc : Py_None);
  Py_XDECREF(exc);
  ce_wipe(buf, cap);
  PyMem_Free(buf);
  return res;
}

/* Counters: a tuple per packet kind of (sent, received, send_dropped,
   receive_dropped, send_failed tuple, receive_failed tuple). */
PyObject *channel_counters(PyObject *handle) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  ce_channel_counters c;
  PyObject *res;
  ce_status st;
  int k, s;
  if (h == NULL || ce_py_channel_check_reentry(h, "counters") < 0)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_channel_get_counters(h->ch, &c);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "counters");
  res = PyTuple_New(CE_PACKET_KINDS);
  if (res == NULL)
    return NULL;
  for (k = 0; k < CE_PACKET_KINDS; k++) {
    const ce_channel_kind_counters *kc = &c.kind[k];
    PyObject *sf = PyTuple_New(CE_CHANNEL_STATUS_SLOTS);
    PyObject *rf = PyTuple_New(CE_CHANNEL_STATUS_SLOTS);
    PyObject *item;
    if (sf == NULL || rf == NULL) {
      Py_XDECREF(sf);
      Py_XDECREF(rf);
      Py_DECREF(res);
      return NULL;
    }
    for (s = 0; s < CE_CHANNEL_STATUS_SLOTS; s++) {
      PyTuple_SET_ITEM(sf, s, PyLong_FromUnsignedLongLong(kc->send_failed[s]));
      PyTuple_SET_ITEM(rf, s,
                       PyLong_FromUnsignedLongLong(kc->receive_failed[s]));
    }
    item = Py_BuildValue("(KKKKNN)", (unsigned long long)kc->sent,
                         (unsigned long long)kc->received,
                         (unsigned long long)kc->send_dropped,
                         (unsigned long long)kc->receive_dropped, sf, rf);
    if (item == NULL) {
      Py_DECREF(res);
      return NULL;
    }
    PyTuple_SET_ITEM(res, k, item);
  }
  return res;
}
%}

/* ------------------------------------------------------------------ */
/* SFrame (RFC 9605): chanenc_sframe.h, chanenc_sframe_observer.h      */
/* ------------------------------------------------------------------ */

%constant unsigned int SFRAME_MAX_HEADER = CE_SFRAME_MAX_HEADER;
%constant unsigned int SFRAME_MAX_TAG = CE_SFRAME_MAX_TAG;
%constant unsigned int SFRAME_MAX_OVERHEAD = CE_SFRAME_MAX_OVERHEAD;
%constant unsigned int SFRAME_MAX_PAYLOAD = CE_SFRAME_MAX_PAYLOAD;
%constant unsigned int SFRAME_MAX_REPLAY_WINDOW = CE_SFRAME_MAX_REPLAY_WINDOW;
%constant int SFRAME_SEND = CE_SFRAME_SEND;
%constant int SFRAME_RECEIVE = CE_SFRAME_RECEIVE;

%apply (const uint8_t *IN, size_t IN_LEN) {
  (const uint8_t *base_key, size_t base_key_len),
  (const uint8_t *metadata, size_t metadata_len),
  (const uint8_t *nonce, size_t nonce_len)
};
%apply size_t COUNT { size_t window };

%{
/* An SFrame context handle. One lock serialises every call on the context,
   the packets the SFrame observer handles included (the observer's C
   callbacks take it, without the GIL): the C control calls (add_key,
   remove_key, set_replay_window) must never overlap a protect or an
   unprotect. */
typedef struct ce_py_sfctx {
  ce_sframe_ctx *ctx;
  PyThread_type_lock lock;
} ce_py_sfctx;

/* An SFrame observer handle: the C observer, and the context capsule it
   borrows (a strong reference, so the context outlives the observer; the
   channel in turn holds a reference to this capsule while it is
   registered). */
typedef struct ce_py_sfobs {
  ce_sframe_observer *obs;
  ce_py_sfctx *ctx;  /* borrowed from ctx_ref */
  PyObject *ctx_ref; /* the context capsule */
} ce_py_sfobs;

static void ce_py_sfctx_destroy(PyObject *cap) {
  ce_py_sfctx *h = (ce_py_sfctx *)PyCapsule_GetPointer(cap, CE_PY_SFCTX_CAPSULE);
  if (h == NULL) {
    PyErr_Clear();
    return;
  }
  ce_sframe_ctx_free(h->ctx);
  if (h->lock != NULL)
    PyThread_free_lock(h->lock);
  PyMem_Free(h);
}

static ce_py_sfctx *ce_py_sfctx_get(PyObject *cap) {
  if (!PyCapsule_IsValid(cap, CE_PY_SFCTX_CAPSULE)) {
    PyErr_SetString(PyExc_TypeError, "expected a chanenc SFrame context handle");
    return NULL;
  }
  return (ce_py_sfctx *)PyCapsule_GetPointer(cap, CE_PY_SFCTX_CAPSULE);
}

static void ce_py_sfobs_destroy(PyObject *cap) {
  ce_py_sfobs *o = (ce_py_sfobs *)PyCapsule_GetPointer(cap, CE_PY_SFOBS_CAPSULE);
  if (o == NULL) {
    PyErr_Clear();
    return;
  }
  /* Never registered any more: a channel keeps this capsule alive for as
     long as the observer is registered on it. */
  ce_sframe_observer_free(o->obs);
  Py_XDECREF(o->ctx_ref);
  PyMem_Free(o);
}

static ce_py_sfobs *ce_py_sfobs_get(PyObject *cap) {
  if (!PyCapsule_IsValid(cap, CE_PY_SFOBS_CAPSULE)) {
    PyErr_SetString(PyExc_TypeError,
                    "expected a chanenc SFrame observer handle");
    return NULL;
  }
  return (ce_py_sfobs *)PyCapsule_GetPointer(cap, CE_PY_SFOBS_CAPSULE);
}

/* A KID or CTR: an int in 0 .. 2**64 - 1. The Python layer checks first
   and names the method; this is the backstop. */
static int ce_py_get_u64(PyObject *obj, const char *what, uint64_t *out) {
  unsigned long long v;
  if (!PyLong_Check(obj) || PyBool_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int, not '%.100s'", what,
                 Py_TYPE(obj)->tp_name);
    return -1;
  }
  v = PyLong_AsUnsignedLongLong(obj);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_ValueError, "%s must be in 0 .. 2**64 - 1", what);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

/* Raises for an SFrame status, naming the KID (and CTR) involved. */
static PyObject *ce_py_sf_raise(int status, const char *what, int have_kid,
                                uint64_t kid, int have_ctr, uint64_t ctr) {
  char buf[160];
  if (have_kid && have_ctr)
    PyOS_snprintf(buf, sizeof buf, "%s (KID %llu, CTR %llu)", what,
                  (unsigned long long)kid, (unsigned long long)ctr);
  else if (have_kid)
    PyOS_snprintf(buf, sizeof buf, "%s (KID %llu)", what,
                  (unsigned long long)kid);
  else
    PyOS_snprintf(buf, sizeof buf, "%s", what);
  /* The shared description of TOO_LARGE names CE1's limit. */
  if (status == CE_ERR_TOO_LARGE)
    return ce_py_raise_text(status, buf,
                            "SFrame: payload over 1 MiB "
                            "(chanenc.sframe.MAX_PAYLOAD), or metadata over "
                            "2**31 - 1 bytes");
  return ce_py_raise(status, buf);
}

/* For an unprotect failure: the header's KID and CTR when the header
   parses (the input is unchanged on failure). */
static PyObject *ce_py_sf_raise_frame(int status, const char *what,
                                      const uint8_t *frame, size_t len) {
  uint64_t kid = 0, ctr = 0;
  int ok = status != CE_ERR_MALFORMED && status != CE_ERR_INVALID_ARGUMENT &&
           frame != NULL &&
           ce_sframe_header_decode(frame, len, &kid, &ctr, NULL) == CE_OK;
  return ce_py_sf_raise(status, what, ok, kid, ok, ctr);
}

/* The SFrame observer's callbacks, behind the context lock. */
static int ce_py_sfobs_call(void *user, ce_packet *pkt, int idx) {
  ce_py_sfobs *o = (ce_py_sfobs *)user;
  const ce_packet_observer *cb = ce_sframe_observer_callbacks();
  int (*fn)(void *, ce_packet *) =
      idx == 0   ? cb->on_send_audio
      : idx == 1 ? cb->on_send_video
      : idx == 2 ? cb->on_receive_audio
                 : cb->on_receive_video;
  int keep;
  PyThread_acquire_lock(o->ctx->lock, WAIT_LOCK);
  keep = fn != NULL ? fn(o->obs, pkt) : 1;
  PyThread_release_lock(o->ctx->lock);
  return keep;
}
static int ce_py_sfobs_send_audio(void *u, ce_packet *p) {
  return ce_py_sfobs_call(u, p, 0);
}
static int ce_py_sfobs_send_video(void *u, ce_packet *p) {
  return ce_py_sfobs_call(u, p, 1);
}
static int ce_py_sfobs_receive_audio(void *u, ce_packet *p) {
  return ce_py_sfobs_call(u, p, 2);
}
static int ce_py_sfobs_receive_video(void *u, ce_packet *p) {
  return ce_py_sfobs_call(u, p, 3);
}
static const ce_packet_observer ce_py_sfobs_callbacks = {
    ce_py_sfobs_send_audio, ce_py_sfobs_send_video, ce_py_sfobs_receive_audio,
    ce_py_sfobs_receive_video};
%}

%inline %{
/* (id, name, nh, nka, nk, nn, nt, gcm) of a suite, or None. */
PyObject *sframe_suite_info(int suite) {
  const ce_sframe_suite_info *s = ce_sframe_suite_get(suite);
  if (s == NULL)
    Py_RETURN_NONE;
  return Py_BuildValue("(isnnnnni)", s->id, s->name, (Py_ssize_t)s->nh,
                       (Py_ssize_t)s->nka, (Py_ssize_t)s->nk,
                       (Py_ssize_t)s->nn, (Py_ssize_t)s->nt, s->gcm);
}

PyObject *sframe_header_encode(PyObject *kid_obj, PyObject *ctr_obj) {
  uint8_t hdr[CE_SFRAME_MAX_HEADER];
  size_t len = sizeof hdr;
  uint64_t kid, ctr;
  ce_status st;
  if (ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0)
    return NULL;
  st = ce_sframe_header_encode(kid, ctr, hdr, &len);
  if (st != CE_OK)
    return ce_py_raise(st, "header_encode");
  return PyBytes_FromStringAndSize((const char *)hdr, (Py_ssize_t)len);
}

/* (kid, ctr, header_len) */
PyObject *sframe_header_decode(const uint8_t *data, size_t data_len) {
  uint64_t kid = 0, ctr = 0;
  size_t hlen = 0;
  ce_status st = ce_sframe_header_decode(data, data_len, &kid, &ctr, &hlen);
  if (st != CE_OK)
    return ce_py_raise(st, "header_decode");
  return Py_BuildValue("(KKn)", (unsigned long long)kid,
                       (unsigned long long)ctr, (Py_ssize_t)hlen);
}

/* (header_len, overhead): overhead 0 for an invalid suite. */
PyObject *sframe_sizes(int suite, PyObject *kid_obj, PyObject *ctr_obj) {
  uint64_t kid, ctr;
  if (ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0)
    return NULL;
  return Py_BuildValue("(nn)", (Py_ssize_t)ce_sframe_header_len(kid, ctr),
                       (Py_ssize_t)ce_sframe_overhead(suite, kid, ctr));
}

/* (secret, key, salt, key_label, salt_label) */
PyObject *sframe_derive(int suite, PyObject *kid_obj, const uint8_t *base_key,
                        size_t base_key_len) {
  PyThreadState *ts;
  ce_sframe_derived d;
  uint64_t kid;
  ce_status st;
  PyObject *res;
  if (ce_py_get_u64(kid_obj, "kid", &kid) < 0)
    return NULL;
  ts = PyEval_SaveThread();
  st = ce_sframe_derive(suite, kid, base_key, base_key_len, &d);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "derive");
  res = Py_BuildValue("(y#y#y#y#y#)", (const char *)d.secret,
                      (Py_ssize_t)d.secret_len, (const char *)d.key,
                      (Py_ssize_t)d.key_len, (const char *)d.salt,
                      (Py_ssize_t)d.salt_len, (const char *)d.key_label,
                      (Py_ssize_t)sizeof d.key_label,
                      (const char *)d.salt_label,
                      (Py_ssize_t)sizeof d.salt_label);
  ce_wipe(&d, sizeof d);
  return res;
}

PyObject *sframe_nonce(const uint8_t *salt, size_t salt_len,
                       PyObject *ctr_obj) {
  uint8_t nonce[12];
  uint64_t ctr;
  if (salt_len != 12) {
    PyErr_Format(PyExc_ValueError, "nonce: salt must be 12 bytes, not %zu",
                 salt_len);
    return NULL;
  }
  if (ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0)
    return NULL;
  ce_sframe_nonce(salt, ctr, nonce);
  return PyBytes_FromStringAndSize((const char *)nonce, 12);
}

/* One-shot AEAD of a suite: encrypt gives ciphertext || tag, decrypt takes
   it and gives the plaintext. */
PyObject *sframe_aead(int encrypt, int suite, const uint8_t *key,
                      size_t key_len, const uint8_t *nonce, size_t nonce_len,
                      const uint8_t *aad, size_t aad_len, const uint8_t *data,
                      size_t data_len) {
  PyThreadState *ts;
  const ce_sframe_suite_info *s = ce_sframe_suite_get(suite);
  const char *what = encrypt ? "aead_encrypt" : "aead_decrypt";
  PyObject *out;
  size_t out_len;
  ce_status st;
  if (s == NULL) {
    PyErr_Format(PyExc_ValueError, "%s: suite must be 1..8, not %d", what,
                 suite);
    return NULL;
  }
  if (nonce_len != 12) {
    PyErr_Format(PyExc_ValueError, "%s: nonce must be 12 bytes, not %zu",
                 what, nonce_len);
    return NULL;
  }
  if (encrypt) {
    out_len = data_len + s->nt;
  } else {
    if (data_len < s->nt)
      return ce_py_raise(CE_ERR_MALFORMED, what);
    out_len = data_len - s->nt;
  }
  out = ce_py_bytes(out_len);
  if (out == NULL)
    return NULL;
  ts = PyEval_SaveThread();
  if (encrypt)
    st = ce_sframe_aead_encrypt(suite, key, key_len, nonce, aad, aad_len, data,
                                data_len, (uint8_t *)PyBytes_AS_STRING(out));
  else
    st = ce_sframe_aead_decrypt(suite, key, key_len, nonce, aad, aad_len, data,
                                data_len, (uint8_t *)PyBytes_AS_STRING(out));
  PyEval_RestoreThread(ts);
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_raise(st, what);
  }
  return out;
}

/* ---- context ---- */

PyObject *sframe_ctx_new(int suite) {
  PyThreadState *ts;
  ce_sframe_ctx *ctx = NULL;
  ce_py_sfctx *h;
  ce_status st;
  PyObject *cap;
  ts = PyEval_SaveThread();
  st = ce_sframe_ctx_new(suite, &ctx);
  PyEval_RestoreThread(ts);
  if (st != CE_OK)
    return ce_py_raise(st, "SFrameContext");
  h = (ce_py_sfctx *)PyMem_Calloc(1, sizeof *h);
  if (h == NULL || (h->lock = PyThread_allocate_lock()) == NULL) {
    PyMem_Free(h);
    ce_sframe_ctx_free(ctx);
    return PyErr_NoMemory();
  }
  h->ctx = ctx;
  cap = PyCapsule_New(h, CE_PY_SFCTX_CAPSULE, ce_py_sfctx_destroy);
  if (cap == NULL) {
    ce_sframe_ctx_free(ctx);
    PyThread_free_lock(h->lock);
    PyMem_Free(h);
  }
  return cap;
}

%}

/* A call holding the context lock (GIL released while waiting). */
%{
#define CE_PY_SF_LOCKED(h, stmt)                                               \
  do {                                                                         \
    PyThreadState *ts_ = PyEval_SaveThread();                                  \
    PyThread_acquire_lock((h)->lock, WAIT_LOCK);                               \
    stmt;                                                                      \
    PyThread_release_lock((h)->lock);                                          \
    PyEval_RestoreThread(ts_);                                                 \
  } while (0)
%}

%inline %{
PyObject *sframe_ctx_add_key(PyObject *handle, PyObject *kid_obj, int usage,
                             const uint8_t *base_key, size_t base_key_len) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_add_key(h->ctx, kid, usage, base_key,
                                            base_key_len));
  if (st != CE_OK)
    return ce_py_sf_raise(st, "add_key", 1, kid, 0, 0);
  Py_RETURN_NONE;
}

PyObject *sframe_ctx_remove_key(PyObject *handle, PyObject *kid_obj) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_remove_key(h->ctx, kid));
  if (st != CE_OK)
    return ce_py_sf_raise(st, "remove_key", 1, kid, 0, 0);
  Py_RETURN_NONE;
}

PyObject *sframe_ctx_set_replay_window(PyObject *handle, size_t window) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  ce_status st;
  if (h == NULL)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_set_replay_window(h->ctx, window));
  if (st != CE_OK)
    return ce_py_raise(st, "replay_window");
  Py_RETURN_NONE;
}

PyObject *sframe_ctx_next_ctr(PyObject *handle, PyObject *kid_obj) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid, ctr = 0;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_next_ctr(h->ctx, kid, &ctr));
  if (st != CE_OK)
    return ce_py_sf_raise(st, "next_ctr", 1, kid, 0, 0);
  return PyLong_FromUnsignedLongLong((unsigned long long)ctr);
}

%}

/* The protect paths; have_ctr: chanenc.testing, with that CTR. */
%{
static PyObject *ce_py_sf_protect_copy(PyObject *handle, PyObject *kid_obj,
                                       int have_ctr, PyObject *ctr_obj,
                                       const uint8_t *metadata,
                                       size_t metadata_len, const uint8_t *data,
                                       size_t data_len, const char *what) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid, ctr = 0;
  PyObject *out;
  size_t out_len;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      (have_ctr && ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0))
    return NULL;
  /* No size check here: the C call reports in its documented order
     (UNKNOWN_KID and COUNTER_EXHAUSTED before TOO_LARGE). */
  out_len = data_len + CE_SFRAME_MAX_OVERHEAD;
  if (out_len < data_len)
    return PyErr_NoMemory();
  out = ce_py_bytes(out_len);
  if (out == NULL)
    return NULL;
  if (have_ctr)
    CE_PY_SF_LOCKED(h, st = ce_testing_sframe_protect_ctr_into(
                           h->ctx, kid, ctr, metadata, metadata_len, data,
                           data_len, (uint8_t *)PyBytes_AS_STRING(out),
                           &out_len));
  else
    CE_PY_SF_LOCKED(h, st = ce_sframe_protect_into(
                           h->ctx, kid, metadata, metadata_len, data, data_len,
                           (uint8_t *)PyBytes_AS_STRING(out), &out_len));
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_sf_raise(st, what, 1, kid, have_ctr, ctr);
  }
  return ce_py_bytes_finish(out, out_len);
}

static PyObject *ce_py_sf_protect_into(PyObject *handle, PyObject *kid_obj,
                                       int have_ctr, PyObject *ctr_obj,
                                       const uint8_t *metadata,
                                       size_t metadata_len, const uint8_t *data,
                                       size_t data_len, uint8_t *out,
                                       size_t out_cap, const char *what) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid, ctr = 0;
  size_t out_len = out_cap;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      (have_ctr && ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0))
    return NULL;
  if (have_ctr)
    CE_PY_SF_LOCKED(h, st = ce_testing_sframe_protect_ctr_into(
                           h->ctx, kid, ctr, metadata, metadata_len, data,
                           data_len, out, &out_len));
  else
    CE_PY_SF_LOCKED(h, st = ce_sframe_protect_into(h->ctx, kid, metadata,
                                                   metadata_len, data,
                                                   data_len, out, &out_len));
  if (st != CE_OK)
    return ce_py_sf_raise(st, what, 1, kid, have_ctr, ctr);
  return PyLong_FromSize_t(out_len);
}

static PyObject *ce_py_sf_protect_inplace(PyObject *handle, PyObject *kid_obj,
                                          int have_ctr, PyObject *ctr_obj,
                                          const uint8_t *metadata,
                                          size_t metadata_len, uint8_t *buf,
                                          size_t buf_cap, size_t length,
                                          const char *what) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid, ctr = 0;
  size_t len = length;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      (have_ctr && ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0))
    return NULL;
  if (length > buf_cap) {
    PyErr_Format(PyExc_ValueError,
                 "%s: length %zu exceeds the buffer size %zu", what, length,
                 buf_cap);
    return NULL;
  }
  if (have_ctr)
    CE_PY_SF_LOCKED(h, st = ce_testing_sframe_protect_ctr(
                           h->ctx, kid, ctr, metadata, metadata_len, buf, &len,
                           buf_cap));
  else
    CE_PY_SF_LOCKED(h, st = ce_sframe_protect(h->ctx, kid, metadata,
                                              metadata_len, buf, &len,
                                              buf_cap));
  if (st != CE_OK)
    return ce_py_sf_raise(st, what, 1, kid, have_ctr, ctr);
  return PyLong_FromSize_t(len);
}
%}

%inline %{
PyObject *sframe_ctx_protect(PyObject *handle, PyObject *kid_obj,
                             const uint8_t *metadata, size_t metadata_len,
                             const uint8_t *data, size_t data_len) {
  return ce_py_sf_protect_copy(handle, kid_obj, 0, NULL, metadata,
                               metadata_len, data, data_len, "protect");
}

PyObject *sframe_ctx_protect_into(PyObject *handle, PyObject *kid_obj,
                                  const uint8_t *metadata, size_t metadata_len,
                                  const uint8_t *data, size_t data_len,
                                  uint8_t *out, size_t out_cap) {
  return ce_py_sf_protect_into(handle, kid_obj, 0, NULL, metadata,
                               metadata_len, data, data_len, out, out_cap,
                               "protect_into");
}

PyObject *sframe_ctx_protect_inplace(PyObject *handle, PyObject *kid_obj,
                                     const uint8_t *metadata,
                                     size_t metadata_len, uint8_t *buf,
                                     size_t buf_cap, size_t length) {
  return ce_py_sf_protect_inplace(handle, kid_obj, 0, NULL, metadata,
                                  metadata_len, buf, buf_cap, length,
                                  "protect_inplace");
}

PyObject *testing_sframe_protect_with_ctr(PyObject *handle, PyObject *kid_obj,
                                          PyObject *ctr_obj,
                                          const uint8_t *metadata,
                                          size_t metadata_len,
                                          const uint8_t *data,
                                          size_t data_len) {
  return ce_py_sf_protect_copy(handle, kid_obj, 1, ctr_obj, metadata,
                               metadata_len, data, data_len,
                               "sframe_protect_with_ctr");
}

PyObject *testing_sframe_protect_into_with_ctr(
    PyObject *handle, PyObject *kid_obj, PyObject *ctr_obj,
    const uint8_t *metadata, size_t metadata_len, const uint8_t *data,
    size_t data_len, uint8_t *out, size_t out_cap) {
  return ce_py_sf_protect_into(handle, kid_obj, 1, ctr_obj, metadata,
                               metadata_len, data, data_len, out, out_cap,
                               "sframe_protect_into_with_ctr");
}

PyObject *testing_sframe_protect_inplace_with_ctr(
    PyObject *handle, PyObject *kid_obj, PyObject *ctr_obj,
    const uint8_t *metadata, size_t metadata_len, uint8_t *buf,
    size_t buf_cap, size_t length) {
  return ce_py_sf_protect_inplace(handle, kid_obj, 1, ctr_obj, metadata,
                                  metadata_len, buf, buf_cap, length,
                                  "sframe_protect_inplace_with_ctr");
}

PyObject *testing_sframe_set_next_ctr(PyObject *handle, PyObject *kid_obj,
                                      PyObject *ctr_obj) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid, ctr;
  ce_status st;
  if (h == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0 ||
      ce_py_get_u64(ctr_obj, "ctr", &ctr) < 0)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_testing_sframe_set_next_ctr(h->ctx, kid, ctr));
  if (st != CE_OK)
    return ce_py_sf_raise(st, "sframe_set_next_ctr", 1, kid, 0, 0);
  Py_RETURN_NONE;
}

/* (payload, kid, ctr) */
PyObject *sframe_ctx_unprotect(PyObject *handle, const uint8_t *metadata,
                               size_t metadata_len, const uint8_t *data,
                               size_t data_len) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid = 0, ctr = 0;
  PyObject *out, *res;
  size_t out_len = data_len;
  ce_status st;
  if (h == NULL)
    return NULL;
  out = ce_py_bytes(out_len);
  if (out == NULL)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_unprotect_into(
                         h->ctx, metadata, metadata_len, data, data_len,
                         (uint8_t *)PyBytes_AS_STRING(out), &out_len, &kid,
                         &ctr));
  if (st != CE_OK) {
    Py_DECREF(out);
    return ce_py_sf_raise_frame(st, "unprotect", data, data_len);
  }
  out = ce_py_bytes_finish(out, out_len);
  if (out == NULL)
    return NULL;
  res = Py_BuildValue("(NKK)", out, (unsigned long long)kid,
                      (unsigned long long)ctr);
  return res;
}

/* (payload length, kid, ctr) */
PyObject *sframe_ctx_unprotect_into(PyObject *handle, const uint8_t *metadata,
                                    size_t metadata_len, const uint8_t *data,
                                    size_t data_len, uint8_t *out,
                                    size_t out_cap) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid = 0, ctr = 0;
  size_t out_len = out_cap;
  ce_status st;
  if (h == NULL)
    return NULL;
  CE_PY_SF_LOCKED(h, st = ce_sframe_unprotect_into(h->ctx, metadata,
                                                   metadata_len, data,
                                                   data_len, out, &out_len,
                                                   &kid, &ctr));
  if (st != CE_OK)
    return ce_py_sf_raise_frame(st, "unprotect_into", data, data_len);
  return Py_BuildValue("(nKK)", (Py_ssize_t)out_len, (unsigned long long)kid,
                       (unsigned long long)ctr);
}

/* (payload length, kid, ctr); the payload is buf[:length]. */
PyObject *sframe_ctx_unprotect_inplace(PyObject *handle,
                                       const uint8_t *metadata,
                                       size_t metadata_len, uint8_t *buf,
                                       size_t buf_cap, size_t length) {
  ce_py_sfctx *h = ce_py_sfctx_get(handle);
  uint64_t kid = 0, ctr = 0;
  size_t len = length;
  ce_status st;
  if (h == NULL)
    return NULL;
  if (length > buf_cap) {
    PyErr_Format(PyExc_ValueError,
                 "unprotect_inplace: length %zu exceeds the buffer size %zu",
                 length, buf_cap);
    return NULL;
  }
  CE_PY_SF_LOCKED(h, st = ce_sframe_unprotect(h->ctx, metadata, metadata_len,
                                              buf, &len, &kid, &ctr));
  if (st != CE_OK)
    return ce_py_sf_raise_frame(st, "unprotect_inplace", buf, length);
  return Py_BuildValue("(nKK)", (Py_ssize_t)len, (unsigned long long)kid,
                       (unsigned long long)ctr);
}

/* ---- observer ---- */

PyObject *sframe_obs_new(PyObject *ctx_handle, PyObject *kid_obj) {
  ce_py_sfctx *c = ce_py_sfctx_get(ctx_handle);
  ce_sframe_observer *obs = NULL;
  ce_py_sfobs *o;
  uint64_t kid;
  ce_status st;
  PyObject *cap;
  if (c == NULL || ce_py_get_u64(kid_obj, "send_kid", &kid) < 0)
    return NULL;
  st = ce_sframe_observer_new(c->ctx, kid, &obs);
  if (st != CE_OK)
    return ce_py_raise(st, "SFrameObserver");
  o = (ce_py_sfobs *)PyMem_Calloc(1, sizeof *o);
  if (o == NULL) {
    ce_sframe_observer_free(obs);
    return PyErr_NoMemory();
  }
  o->obs = obs;
  o->ctx = c;
  o->ctx_ref = Py_NewRef(ctx_handle);
  cap = PyCapsule_New(o, CE_PY_SFOBS_CAPSULE, ce_py_sfobs_destroy);
  if (cap == NULL) {
    ce_sframe_observer_free(obs);
    Py_DECREF(o->ctx_ref);
    PyMem_Free(o);
  }
  return cap;
}

PyObject *sframe_obs_set_send_kid(PyObject *handle, PyObject *kid_obj) {
  ce_py_sfobs *o = ce_py_sfobs_get(handle);
  uint64_t kid;
  ce_status st;
  if (o == NULL || ce_py_get_u64(kid_obj, "kid", &kid) < 0)
    return NULL;
  CE_PY_SF_LOCKED(o->ctx, st = ce_sframe_observer_set_send_kid(o->obs, kid));
  if (st != CE_OK)
    return ce_py_raise(st, "set_send_kid");
  Py_RETURN_NONE;
}

/* The SFrame status of the last packet in a direction (an int). */
PyObject *sframe_obs_status(PyObject *handle, int sending) {
  ce_py_sfobs *o = ce_py_sfobs_get(handle);
  ce_status st;
  if (o == NULL)
    return NULL;
  CE_PY_SF_LOCKED(o->ctx, st = ce_sframe_observer_status(o->obs, sending));
  return PyLong_FromLong((long)st);
}

/* Registers an SFrame observer handle on a channel as C callbacks (no
   Python per packet). The channel keeps a reference to the handle (and
   through it to the context) until another observer replaces it, None
   unregisters, or the channel is freed. */
PyObject *channel_set_sframe_observer(PyObject *handle, PyObject *obs_handle) {
  PyThreadState *ts;
  ce_py_channel *h = ce_py_channel_get(handle);
  ce_py_sfobs *o = ce_py_sfobs_get(obs_handle);
  ce_py_observer *old_py = NULL;
  PyObject *old_sf = NULL;
  ce_status st;
  if (h == NULL || o == NULL ||
      ce_py_channel_check_reentry(h, "register_packet_observer") < 0)
    return NULL;
  ce_py_channel_lock(h);
  ts = PyEval_SaveThread();
  st = ce_channel_register_packet_observer(h->ch, &ce_py_sfobs_callbacks, o);
  PyEval_RestoreThread(ts);
  if (st == CE_OK) {
    old_py = h->obs;
    h->obs = NULL;
    old_sf = h->sf_ref;
    h->sf_ref = Py_NewRef(obs_handle);
  }
  PyThread_release_lock(h->control);
  ce_py_observer_free(old_py);
  Py_XDECREF(old_sf);
  if (st != CE_OK)
    return ce_py_raise(st, "register_packet_observer");
  Py_RETURN_NONE;
}
%}
