#pragma once
// How the decode matrix-vector kernel cuts a matrix into blocks (shared by the
// host, which chooses the cut, the kernel, which follows it, and the host tests).
//
// A block owns a *group* of output lines (rows; a gate row and its up row; the
// two dimensions RoPE turns together) and a *slice* of the columns (split-K).
// It reads its slice of x once, so x is read once per group, not once per
// block: x traffic = groups x K x bytes per value. The slices of a group write
// partial sums; the group's last block to finish (an integer ticket, not a
// float atomic) adds them in slice order, so the result does not depend on
// which block finished last, and runs the epilogue. Partials read back are
// (slices - 1) x lines x 4 bytes. The plan picks the slice count that keeps
// at least kMatvecTargetBlocks blocks (two per SM of a 132-SM H100) at the
// least activation traffic, with slices that start where the weights' 8- or
// 16-byte loads can start and that waste few 32-byte sectors.
#include <cstdint>

#include "backend/cuda/weight_units.h"
#include "tensor/host_device.h"
#include "tensor/tensor_type.h"

namespace ps {

constexpr int64_t kMatvecTargetBlocks = 2 * 132;  // two blocks per SM of an H100 SXM
constexpr int kMatvecSliceValues = 2048;           // columns of x a block stages (8 KiB as floats)
constexpr int kMatvecStageBytes = 4096;            // weight bytes of one warp step (at least 2 KiB in flight)
constexpr int kMatvecMaxLines = 1024;              // lines of a group (their sums live in shared memory)
constexpr int kMatvecMinLines = 8;
constexpr int kMatvecMaxGroups = 4096;
// Blocks of 32 values of the vector an epilogue writes as 8-bit blocks (x_blocks.h):
// a block that two groups share is quantized by the last of them, on a ticket.
constexpr int kMatvecMaxXBlocks = 4096;
// Completion tickets: one per group, one for the norm, one per 8-bit block of the vector written.
constexpr int kMatvecTickets = kMatvecMaxGroups + 1 + kMatvecMaxXBlocks;
constexpr int kMatvecMaxSlices = 64;

// Floats of scratch for the partial sums: up to 8 slices of the most lines
// any decode matrix has (the plan stays within it).
inline int64_t matvecPartialCapacity(int64_t dim, int64_t qkvLines, int64_t ffn, int64_t vocab) {
    int64_t most = dim;
    for (const int64_t lines : {qkvLines, 2 * ffn, vocab}) most = lines > most ? lines : most;
    return 8 * most;
}

// Width of one weight load: 16 bytes, 8 for Q6_K (its 210-byte blocks are
// 8-byte aligned every 4 blocks, 16-byte aligned only every 8: 2048 columns).
template <TensorType T>
constexpr int kWeightLoadBytes = T == TensorType::Q6_K ? 8 : 16;

// Storage blocks of a slice boundary: the fewest whole blocks whose bytes are a
// multiple of the load width (Q4_0: 8 blocks, 144 bytes; Q4_K: 1; Q6_K: 4).
PS_HD int sliceGrainBlocks(int blockBytes, int loadBytes) {
    int n = 1;
    while ((n * blockBytes) % loadBytes != 0) ++n;
    return n;
}

// Slice `s` of `slices` of a row: storage blocks [firstBlock, endBlock), the
// bytes [begin, end) the block loads (the last slice runs to the padded end
// of the row, so every row ends on a sector) and the columns [firstColumn, endColumn).
struct RowSlice {
    int64_t firstBlock = 0, endBlock = 0;
    int64_t begin = 0, end = 0;
    int64_t firstColumn = 0, endColumn = 0;
};

PS_HD RowSlice rowSlice(int64_t cols, int64_t storedRowBytes, int blockValues, int blockBytes, int loadBytes,
                        int slices, int s) {
    const int64_t blocks = (cols + blockValues - 1) / blockValues;
    const int grain = sliceGrainBlocks(blockBytes, loadBytes);
    const int64_t grains = (blocks + grain - 1) / grain;
    RowSlice r;
    r.firstBlock = s * grains / slices * grain;
    r.endBlock = (s + 1) * grains / slices * grain;
    if (r.firstBlock > blocks) r.firstBlock = blocks;
    if (r.endBlock > blocks) r.endBlock = blocks;
    r.begin = r.firstBlock * blockBytes;
    r.end = s == slices - 1 ? paddedRowBytes(storedRowBytes) : r.endBlock * blockBytes;
    r.firstColumn = r.firstBlock * blockValues;
    r.endColumn = r.endBlock * blockValues < cols ? r.endBlock * blockValues : cols;
    return r;
}

// The loads of a slice start at its sector (begin rounded down to 32) and the
// window is whole sectors, so a warp load (consecutive words of the window,
// line after line) covers whole sectors and never splits one with the next
// load; the stage holds that window.
PS_HD int64_t sliceWindowStart(const RowSlice& r) { return r.begin / 32 * 32; }
PS_HD int64_t sliceWindowBytes(const RowSlice& r) { return (r.end - sliceWindowStart(r) + 31) / 32 * 32; }

// The cut of one launch.
struct MatvecPlan {
    int slices = 1;
    int groups = 1;
    int linesPerGroup = 1;
    int64_t lines = 0;
    bool valid = false;  // false: no cut fits the stages (a row too long for kMatvecMaxSlices slices)
    // What it reads besides the weights, counted the way the emulator counts.
    double xBytes = 0, partialBytes = 0;
    double sectorEfficiency = 1;
    int64_t blocks() const { return static_cast<int64_t>(slices) * groups; }
};

struct MatvecShape {
    int64_t lines = 0;           // dot products
    int64_t cols = 0;
    int64_t storedRowBytes = 0;
    int blockValues = 32, blockBytes = 0, loadBytes = 16;
    int lineGrain = 2;           // a group holds a multiple of this many lines
    double xBytesPerValue = 2;   // x as FP16; 1.125 as 8-bit blocks (x_blocks.h); 4 as floats
    int64_t partialCapacity = 0; // floats of scratch for the partial sums
    int maxSliceValues = kMatvecSliceValues;
    int stageBytes = kMatvecStageBytes;
};

// Sector efficiency of a row's slices: bytes loaded / 32-byte sectors touched.
inline double sliceSectorEfficiency(const MatvecShape& m, int slices) {
    double used = 0, touched = 0;
    for (int s = 0; s < slices; ++s) {
        const RowSlice r = rowSlice(m.cols, m.storedRowBytes, m.blockValues, m.blockBytes, m.loadBytes, slices, s);
        used += static_cast<double>(r.end - r.begin);
        touched += 32.0 * static_cast<double>((r.end + 31) / 32 - r.begin / 32);
    }
    return touched > 0 ? used / touched : 1.0;
}

inline MatvecPlan chooseMatvecPlan(const MatvecShape& m) {
    const int64_t blocksInRow = (m.cols + m.blockValues - 1) / m.blockValues;
    // Two blocks per SM, for a matrix big enough to give each at least 4 KiB.
    int64_t target = m.lines * paddedRowBytes(m.storedRowBytes) / 4096;
    target = target < 1 ? 1 : target > kMatvecTargetBlocks ? kMatvecTargetBlocks : target;
    const int grain = sliceGrainBlocks(m.blockBytes, m.loadBytes);
    const int64_t grains = (blocksInRow + grain - 1) / grain;
    MatvecPlan best;
    bool haveBest = false;
    for (int slices = 1; slices <= kMatvecMaxSlices && slices <= grains; ++slices) {
        // Every slice fits the stages.
        bool fits = true;
        for (int s = 0; s < slices && fits; ++s) {
            const RowSlice r =
                rowSlice(m.cols, m.storedRowBytes, m.blockValues, m.blockBytes, m.loadBytes, slices, s);
            fits = r.endColumn - r.firstColumn <= m.maxSliceValues && sliceWindowBytes(r) <= m.stageBytes &&
                   r.endBlock > r.firstBlock;
        }
        if (!fits) continue;
        const int64_t wantGroups = (target + slices - 1) / slices;
        int64_t perGroup = m.lines / wantGroups / m.lineGrain * m.lineGrain;
        const int64_t minLines = (kMatvecMinLines + m.lineGrain - 1) / m.lineGrain * m.lineGrain;
        if (perGroup < minLines) perGroup = minLines;
        if (perGroup > kMatvecMaxLines) perGroup = kMatvecMaxLines / m.lineGrain * m.lineGrain;
        // A matrix too small for the target whatever the groups: few, full
        // groups (more blocks would only re-read x; and each block costs the
        // emulated device its threads' start-up).
        if ((m.lines + minLines - 1) / minLines * slices < target) {
            perGroup = m.lines < kMatvecMaxLines ? m.lines : kMatvecMaxLines;
            perGroup = (perGroup + m.lineGrain - 1) / m.lineGrain * m.lineGrain;
            if (perGroup > kMatvecMaxLines) perGroup -= m.lineGrain;
        }
        const int64_t byGroupLimit = (m.lines + kMatvecMaxGroups - 1) / kMatvecMaxGroups;
        if (perGroup < byGroupLimit) perGroup = (byGroupLimit + m.lineGrain - 1) / m.lineGrain * m.lineGrain;
        MatvecPlan p;
        p.slices = slices;
        p.linesPerGroup = static_cast<int>(perGroup);
        p.groups = static_cast<int>((m.lines + perGroup - 1) / perGroup);
        p.lines = m.lines;
        p.valid = true;
        if (slices > 1 && static_cast<int64_t>(slices) * p.groups * perGroup > m.partialCapacity) continue;
        p.xBytes = static_cast<double>(p.groups) * static_cast<double>(m.cols) * m.xBytesPerValue;
        p.partialBytes = slices > 1 ? 4.0 * static_cast<double>(slices - 1) * static_cast<double>(m.lines) : 0.0;
        p.sectorEfficiency = sliceSectorEfficiency(m, slices);
        if (!haveBest) {
            best = p;
            haveBest = true;
            continue;
        }
        // Enough blocks first, then sectors well used (>= 95%), then the least
        // traffic (also where no cut reaches the target: a small matrix).
        const auto rank = [&](const MatvecPlan& q) {
            return (q.blocks() >= target ? 2 : 0) + (q.sectorEfficiency >= 0.95 ? 1 : 0);
        };
        const int rp = rank(p), rb = rank(best);
        const double cost = p.xBytes + p.partialBytes, bestCost = best.xBytes + best.partialBytes;
        if (rp > rb || (rp == rb && cost < bestCost)) best = p;
    }
    return best;
}

}  // namespace ps
