#if canImport(Glibc)
import Glibc
#endif

/// How the C heap grows in a command that builds a large release in memory and then ends.
enum HeapGrowth {
    /// Each malloc arena grows by 64 MiB of address space at a time, not by the pages the
    /// request at hand needs: loading 100,000 tasks on two threads made ~16,000 `mprotect`
    /// calls, one per step of growth — ~5 % of `quickup plan`'s CPU (P5, issue 20.1). Pages are
    /// made resident only when touched, so the peak RSS stays what it was. For short commands
    /// only: a long-running server would keep up to the pad per arena after a peak.
    static func inLargeSteps() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which Swift's Glibc module leaves out; it is
        // looked up in the C library the process already uses. Not found or refused, the heap
        // grows as before — correct, only slower: nothing to report.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        // A nil handle is glibc's RTLD_DEFAULT: the symbol as the process already binds it.
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let topPad: Int32 = -2  // M_TOP_PAD in <malloc.h>
        _ = unsafeBitCast(symbol, to: MallOpt.self)(topPad, 64 << 20)
        #endif
    }
}
