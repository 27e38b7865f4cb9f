#include "backend/backend.h"

namespace ps {

bool cudaBackendCompiled() {
#if defined(PROMPTSTUDIO_HAVE_CUDA)
    return true;
#else
    return false;
#endif
}

}  // namespace ps
