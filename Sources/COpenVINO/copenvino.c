// Empty translation unit: SwiftPM needs one source file for a C target; the API is the header.
#include "copenvino.h"
