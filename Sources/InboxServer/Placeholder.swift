import Hummingbird; import HummingbirdTLS; import ServiceLifecycle; public enum P3 {}
