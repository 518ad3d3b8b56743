import Foundation

/// What starts an automation.
public enum AutomationTriggerKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Started by an agent on a selection of conversations (bulk "run automation").
    case manual
    /// Runs once on every conversation a customer starts.
    case newConversation = "new_conversation"
    /// Runs on every inbound message whose text contains one of the keywords.
    case keyword
}

public struct AutomationTrigger: Hashable, Sendable, Codable {
    public var kind: AutomationTriggerKind
    /// For `keyword`: matched case- and accent-insensitively as whole words or phrases.
    public var keywords: [String]?

    public init(kind: AutomationTriggerKind, keywords: [String]? = nil) {
        self.kind = kind
        self.keywords = keywords
    }

    /// Whether an inbound text fires a keyword trigger.
    public func matches(inboundText text: String) -> Bool {
        guard kind == .keyword, let keywords else { return false }
        let words = " " + KeywordText.fold(text) + " "
        return keywords.contains { words.contains(" " + KeywordText.fold($0) + " ") }
    }
}

/// Text folded for keyword matching: lower case, no accents, punctuation as spaces.
public enum KeywordText {
    public static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let spaced = String(folded.map { $0.isLetter || $0.isNumber ? $0 : " " })
        return spaced.split(separator: " ").joined(separator: " ")
    }
}

public enum AutomationActionType: String, Hashable, Sendable, Codable, CaseIterable {
    case sendMessage = "send_message", addTag = "add_tag", removeTag = "remove_tag", moveStage = "move_stage"
    case transfer, finish
}

/// One step of an automation. Which fields a step takes depends on its type
/// (``validated()`` says so): `text` for send_message, `tagId` for the tag steps, `stageId` for
/// move_stage, `departmentId` and/or `agentId` for transfer, nothing for finish.
public struct AutomationAction: Hashable, Sendable, Codable {
    public var type: AutomationActionType
    /// A template: `{{contact.name}}`, `{{contact.first_name}}`, `{{agent.name}}`, `{{connection.name}}`.
    public var text: String?
    public var tagID: TagID?
    public var stageID: StageID?
    public var departmentID: DepartmentID?
    public var agentID: AgentID?

    public init(type: AutomationActionType, text: String? = nil, tagID: TagID? = nil, stageID: StageID? = nil,
                departmentID: DepartmentID? = nil, agentID: AgentID? = nil) {
        self.type = type
        self.text = text
        self.tagID = tagID
        self.stageID = stageID
        self.departmentID = departmentID
        self.agentID = agentID
    }

    /// Checks that the step carries exactly the fields its type needs.
    public func validated(at index: Int) throws(InboxError) -> AutomationAction {
        let field = "actions[\(index)]"
        let given: Set<String> = Set([
            text.map { _ in "text" }, tagID.map { _ in "tagId" }, stageID.map { _ in "stageId" },
            departmentID.map { _ in "departmentId" }, agentID.map { _ in "agentId" },
        ].compactMap { $0 })
        let (required, allowed): (Set<String>, Set<String>) = switch type {
        case .sendMessage: (["text"], ["text"])
        case .addTag, .removeTag: (["tagId"], ["tagId"])
        case .moveStage: (["stageId"], ["stageId"])
        case .transfer: ([], ["departmentId", "agentId"])
        case .finish: ([], [])
        }
        if let missing = required.subtracting(given).sorted().first {
            throw .invalidField(field: "\(field).\(missing)", reason: "\(type.rawValue) needs \(missing)")
        }
        if let extra = given.subtracting(allowed).sorted().first {
            throw .invalidField(field: "\(field).\(extra)", reason: "\(type.rawValue) takes no \(extra)")
        }
        if type == .transfer, given.isEmpty {
            throw .invalidField(field: field, reason: "transfer needs departmentId and/or agentId")
        }
        var copy = self
        if let text {
            guard text.count <= Validation.maxTextLength, !text.trimmingWhitespace.isEmpty else {
                throw .invalidField(field: "\(field).text", reason: "1 to \(Validation.maxTextLength) characters")
            }
            try MessageTemplate.check(text, field: "\(field).text")
            copy.text = text
        }
        return copy
    }
}

/// An automation an admin configured: a trigger and ordered steps.
public struct Automation: Hashable, Sendable, Codable {
    public var id: AutomationID
    public var workspaceID: WorkspaceID
    public var name: String
    public var trigger: AutomationTrigger
    public var actions: [AutomationAction]
    public var active: Bool
    public var createdAt: Timestamp

    public init(id: AutomationID, workspaceID: WorkspaceID, name: String, trigger: AutomationTrigger,
                actions: [AutomationAction], active: Bool, createdAt: Timestamp) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.trigger = trigger
        self.actions = actions
        self.active = active
        self.createdAt = createdAt
    }

    public static let maxActions = 20
    public static let maxKeywords = 50

    /// Validates a trigger and steps as an admin submitted them.
    public static func validate(trigger: AutomationTrigger, actions: [AutomationAction]) throws(InboxError) -> (AutomationTrigger, [AutomationAction]) {
        var trigger = trigger
        switch trigger.kind {
        case .keyword:
            let keywords = (trigger.keywords ?? []).map { KeywordText.fold($0) }.filter { !$0.isEmpty }
            guard !keywords.isEmpty, keywords.count <= maxKeywords, keywords.allSatisfy({ $0.count <= 100 }) else {
                throw .invalidField(field: "trigger.keywords", reason: "1 to \(maxKeywords) keywords of up to 100 characters")
            }
            trigger.keywords = Array(Set(keywords)).sorted()
        case .manual, .newConversation:
            guard trigger.keywords == nil else {
                throw .invalidField(field: "trigger.keywords", reason: "only keyword triggers take keywords")
            }
        }
        guard (1...maxActions).contains(actions.count) else {
            throw .invalidField(field: "actions", reason: "1 to \(maxActions) steps")
        }
        var checked: [AutomationAction] = []
        for (index, action) in actions.enumerated() { checked.append(try action.validated(at: index)) }
        return (trigger, checked)
    }
}

/// Fills a message template's `{{variables}}`.
public enum MessageTemplate {
    public static let variables: Set<String> = ["contact.name", "contact.first_name", "agent.name", "connection.name"]

    /// Throws when the template names an unknown variable or leaves a brace pair open.
    public static func check(_ template: String, field: String) throws(InboxError) {
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw .invalidField(field: field, reason: "unclosed {{")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard variables.contains(name) else {
                throw .invalidField(field: field, reason: "unknown variable {{\(name)}}; known: \(variables.sorted().joined(separator: ", "))")
            }
            rest = rest[close.upperBound...]
        }
    }

    /// The template with each variable replaced; unknown or empty values become "".
    public static func render(_ template: String, values: [String: String]) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += values[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return output + rest
    }
}
