/// Keeps a segment's search from cutting a run of equal distances at the k-th hit.
///
/// A segment's scan or graph walk returns equal distances in the order it meets them (row or
/// label order), while the data directory orders equal distances by id across every segment.
/// If a segment returned only k hits, which of several rows tied at the k-th distance made it
/// would depend on where they were written. So each segment is asked for one hit past k, and for
/// twice as many while the last one still ties with the k-th; the directory's id order then decides.
enum TiedCut {
    /// Runs `search` until its hits hold every hit tied with the k-th best, and returns how many
    /// leading hits to keep (those up to the last one at the k-th distance).
    ///
    /// - Parameters:
    ///   - k: hits wanted.
    ///   - available: the most hits the search can return (live rows in reach).
    ///   - search: searches for the given number of hits into the caller's buffers, best first,
    ///     and returns how many it found (at most that number).
    ///   - distance: the distance of the caller's i-th hit from the last search.
    static func keptCount(
        k: Int, available: Int, search: (_ asked: Int) throws(StorageError) -> Int, distance: (_ index: Int) -> Float
    ) throws(StorageError) -> Int {
        guard k > 0, available > 0 else { return 0 }
        var asked = k < available ? k + 1 : available
        while true {
            let count = try search(asked)
            guard count > k else { return count }
            let cut = distance(k - 1)
            // Done when the last hit is past the k-th distance or nothing more can be found.
            if distance(count - 1) != cut || count < asked || asked == available {
                // The first k are kept whatever their distances: a NaN from damaged vectors (only
                // verify checks their checksum) equals nothing, not even the cut, and must not walk
                // this loop off the front of the hits (the storage fuzzer's crash).
                var kept = count
                while kept > k && distance(kept - 1) != cut { kept -= 1 }
                return kept
            }
            asked = asked > available / 2 ? available : asked * 2
        }
    }

    /// ``keptCount(k:available:search:distance:)`` for a search that returns its hits.
    static func hits<Hit>(
        k: Int, available: Int, distance: (Hit) -> Float, search: (_ asked: Int) throws(StorageError) -> [Hit]
    ) throws(StorageError) -> ArraySlice<Hit> {
        var hits: [Hit] = []
        let kept = try keptCount(
            k: k, available: available,
            search: { (asked) throws(StorageError) in
                hits = try search(asked)
                return hits.count
            },
            distance: { distance(hits[$0]) })
        return hits.prefix(kept)
    }
}
