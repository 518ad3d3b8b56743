import Testing; import HummingbirdTesting; @Test func c() {}
