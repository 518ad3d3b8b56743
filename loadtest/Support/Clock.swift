import Foundation

/// Wall-clock nanoseconds (CLOCK_REALTIME). Latencies cross processes (a publisher stamps a
/// message, a subscriber in another worker process reads it), so they need the one clock every
/// process on the machine shares.
@inline(__always)
func wallNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Monotonic nanoseconds, for durations measured inside one process.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Pins a process and all its threads to the given CPUs (`taskset -a -cp`), e.g. the generator
/// on one core and the server on the other. Threads started later inherit the affinity.
func pin(pid: Int32, cpus: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
    process.arguments = ["-a", "-cp", cpus, String(pid)]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw LoadTestFailure("taskset -a -cp \(cpus) \(pid) failed") }
}
