import InboxCore
import Testing

@Suite("Validation")
struct ValidationTests {
    @Test func nameIsTrimmed() throws {
        #expect(try Validation.name("  Vendas \n") == "Vendas")
        #expect(try Validation.name(String(repeating: "a", count: Validation.maxNameLength)).count == Validation.maxNameLength)
    }

    @Test(arguments: ["", "   ", "\n\t"])
    func emptyNameIsRejected(_ value: String) {
        #expect(throws: InboxError.invalidField(field: "title", reason: "must not be empty")) {
            try Validation.name(value, field: "title")
        }
    }

    @Test func longNameIsRejected() throws {
        #expect(throws: InboxError.self) { try Validation.name(String(repeating: "a", count: Validation.maxNameLength + 1)) }
        // Counted in characters, not bytes.
        #expect(try Validation.name(String(repeating: "é", count: Validation.maxNameLength)).count == Validation.maxNameLength)
    }

    @Test func emailIsTrimmedAndLowerCased() throws {
        #expect(try Validation.email("  Ana.Souza@Example.COM ") == "ana.souza@example.com")
    }

    @Test(arguments: ["", "ana", "ana@", "@example.com", "ana@example", "a@b@c.com", "ana souza@x.com", "ana@x .com"])
    func badEmailIsRejected(_ value: String) {
        #expect(throws: InboxError.invalidField(field: "email", reason: "not an email address")) { try Validation.email(value) }
    }

    @Test func overlongEmailIsRejected() {
        let email = String(repeating: "a", count: Validation.maxNameLength) + "@x.io"
        #expect(throws: InboxError.self) { try Validation.email(email) }
    }

    @Test func keyIsKeptVerbatim() throws {
        #expect(try Validation.key(" wamid.ABC==", field: "messageId") == " wamid.ABC==")
        #expect(try Validation.key(String(repeating: "k", count: Validation.maxKeyLength), field: "k").count == Validation.maxKeyLength)
    }

    @Test(arguments: ["", "a\u{0}b", "line\nbreak", "tab\t", "\u{7F}", String(repeating: "k", count: 201)])
    func badKeyIsRejected(_ value: String) {
        #expect(throws: InboxError.invalidField(field: "clientMessageId", reason: "1 to 200 printable characters")) {
            try Validation.key(value, field: "clientMessageId")
        }
    }

    @Test func colorIsLowerCased() throws {
        #expect(try Validation.color("#1F9D55") == "#1f9d55")
        #expect(try Validation.color("#abc") == "#abc")
    }

    @Test(arguments: ["", "#", "1f9d55", "#1f9d5", "#1f9d555", "#ggg", "red", "#abcd", " #abc"])
    func badColorIsRejected(_ value: String) {
        #expect(throws: InboxError.invalidField(field: "color", reason: "a colour like #1f9d55")) { try Validation.color(value) }
    }

    @Test func messageBodyNeedsTextOrAttachment() throws {
        try Validation.messageBody(text: "oi", attachments: [])
        let file = Attachment(kind: .document, url: "https://x/y.pdf", name: "y.pdf", sizeBytes: 10)
        try Validation.messageBody(text: "", attachments: [file])
        #expect(throws: InboxError.invalidField(field: "text", reason: "a message needs text or an attachment")) {
            try Validation.messageBody(text: " \n ", attachments: [])
        }
    }

    @Test func messageBodyIsBounded() throws {
        try Validation.messageBody(text: String(repeating: "x", count: Validation.maxTextLength), attachments: [])
        #expect(throws: InboxError.self) {
            try Validation.messageBody(text: String(repeating: "x", count: Validation.maxTextLength + 1), attachments: [])
        }
        let file = Attachment(kind: .image, url: "https://x", name: nil, sizeBytes: nil)
        try Validation.messageBody(text: "", attachments: Array(repeating: file, count: Validation.maxAttachments))
        #expect(throws: InboxError.invalidField(field: "attachments", reason: "at most \(Validation.maxAttachments)")) {
            try Validation.messageBody(text: "x", attachments: Array(repeating: file, count: Validation.maxAttachments + 1))
        }
    }

    @Test func attachmentUrlIsBounded() {
        let empty = Attachment(kind: .image, url: "", name: nil, sizeBytes: nil)
        let long = Attachment(kind: .image, url: String(repeating: "u", count: 2_001), name: nil, sizeBytes: nil)
        for attachment in [empty, long] {
            #expect(throws: InboxError.invalidField(field: "attachments.url", reason: "1 to 2000 characters")) {
                try Validation.messageBody(text: "x", attachments: [attachment])
            }
        }
    }

    @Test func errorCodesAndFields() {
        #expect(InboxError.notFound(entity: "tag").code == "not_found")
        #expect(InboxError.alreadyExists(field: "email").field == "email")
        #expect(InboxError.invalidReference(field: "tagIds").code == "invalid_reference")
        #expect(InboxError.conflict(reason: "x").field == nil)
    }
}
