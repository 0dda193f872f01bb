// OpenVINO's C API (from the pinned PyPI wheel, unpacked by `make setup` into models/openvino).
// The variadic ov_core_compile_model / ov_core_set_property cannot be called from Swift; use the
// *_props / ov_core_set_properties forms, which take arrays.
#ifndef FORENSIC_COPENVINO_H
#define FORENSIC_COPENVINO_H
#include <openvino/c/openvino.h>
#endif
