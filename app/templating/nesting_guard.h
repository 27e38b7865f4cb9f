#pragma once
// One guard for every recursive walk of the interpreter (parser, free-variable finder,
// renderer): it counts the levels entered and calls `fail` (which throws) past the
// limit, so that hostile nesting ends in an error, not a stack overflow. Internal.

namespace ps::templating::detail {

class NestingGuard {
public:
    template <typename Fail>
    NestingGuard(int& depth, int limit, Fail&& fail) : depth_(depth) {
        if (depth_ >= limit) fail();
        ++depth_;
    }
    ~NestingGuard() { --depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

private:
    int& depth_;
};

}  // namespace ps::templating::detail
