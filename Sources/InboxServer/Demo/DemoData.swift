import InboxCore
import InboxStore

/// Realistic Brazilian content for the demo workspace.
enum DemoData {
    static let password = "demo1234"

    struct AgentSeed {
        var name: String
        var email: String
        var role: String
        var departments: [String]
    }

    static let agents: [AgentSeed] = [
        AgentSeed(name: "Ana Administradora", email: "admin@demo.switchboard.dev", role: "admin", departments: []),
        AgentSeed(name: "Sofia Supervisora", email: "sofia@demo.switchboard.dev", role: "supervisor", departments: ["Vendas", "Suporte"]),
        AgentSeed(name: "João Vendas", email: "joao@demo.switchboard.dev", role: "agent", departments: ["Vendas"]),
        AgentSeed(name: "Maria Suporte", email: "maria@demo.switchboard.dev", role: "agent", departments: ["Suporte"]),
        AgentSeed(name: "Pedro Financeiro", email: "pedro@demo.switchboard.dev", role: "agent", departments: ["Financeiro"]),
        AgentSeed(name: "Lucas Oliveira", email: "lucas@demo.switchboard.dev", role: "agent", departments: ["Vendas", "Suporte"]),
        AgentSeed(name: "Camila Rocha", email: "camila@demo.switchboard.dev", role: "agent", departments: ["Suporte"]),
    ]

    static let departments = ["Vendas", "Suporte", "Financeiro"]

    static let connections: [(kind: String, name: String)] = [
        ("whatsapp", "Datacrazy"), ("instagram", "crm.datacrazy"), ("whatsapp", "Iphone Andreone"), ("api", "Site (API)"),
    ]

    static let tags: [(name: String, color: String)] = [
        ("VIP", "#b45309"), ("Lead quente", "#dc2626"), ("Cliente", "#16a34a"), ("Inadimplente", "#7c3aed"),
        ("Retorno", "#0891b2"), ("Indicação", "#db2777"), ("Black Friday", "#111827"),
    ]

    /// One automation per trigger, as a workspace would set them up.
    static func automations(departments: [String: DepartmentID], tags: [TagID]) -> [AutomationDraft] {
        var drafts = [
            AutomationDraft(
                name: "Boas-vindas", trigger: AutomationTrigger(kind: .newConversation),
                actions: [AutomationAction(type: .sendMessage, text: "Olá, {{contact.first_name}}! Recebemos sua mensagem no {{connection.name}} e já vamos atender.")]),
            AutomationDraft(
                name: "Pesquisa de satisfação e finalizar", trigger: AutomationTrigger(kind: .manual),
                actions: [
                    AutomationAction(type: .sendMessage, text: "{{contact.first_name}}, obrigado pelo contato! De 1 a 5, como foi o atendimento de {{agent.name}}?"),
                    AutomationAction(type: .finish),
                ]),
        ]
        if let hot = tags.dropFirst().first {
            drafts.append(AutomationDraft(
                name: "Interesse em preço", trigger: AutomationTrigger(kind: .keyword, keywords: ["preço", "valor", "orçamento"]),
                actions: [AutomationAction(type: .addTag, tagID: hot)]))
        }
        if let finance = departments["Financeiro"] {
            drafts.append(AutomationDraft(
                name: "Encaminhar ao Financeiro", trigger: AutomationTrigger(kind: .manual),
                actions: [AutomationAction(type: .transfer, departmentID: finance)]))
        }
        return drafts
    }

    static let pipeline = "Funil de vendas"
    static let stages = ["Novo lead", "Qualificado", "Proposta enviada", "Negociação", "Fechado"]

    static let firstNames = [
        "Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João", "Juliana", "Kleber",
        "Larissa", "Marcos", "Natália", "Otávio", "Patrícia", "Rafael", "Sabrina", "Thiago", "Vanessa", "Wesley", "Yasmin",
        "Rodrigo", "Letícia", "Gustavo", "Beatriz", "Fernanda", "Leonardo", "Mariana", "Ricardo", "Aline", "Paulo", "Renata",
    ]

    static let lastNames = [
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
        "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias",
    ]

    static let customerLines = [
        "Oi, boa tarde! Gostaria de saber o valor do plano anual.",
        "Olá, vocês entregam em Campinas?",
        "Bom dia, meu pedido ainda não chegou.",
        "Consegue me mandar a proposta atualizada?",
        "Qual o prazo de implantação?",
        "Preciso da segunda via do boleto, por favor.",
        "Vi o anúncio no Instagram, ainda tem desconto?",
        "Obrigado pelo retorno! Vou analisar com meu sócio.",
        "O sistema está fora do ar aqui, podem verificar?",
        "Quero cancelar minha assinatura.",
        "Tem como parcelar em 12x?",
        "Fechado! Pode mandar o contrato.",
        "Não consigo acessar minha conta, esqueci a senha.",
        "Vocês têm integração com o WhatsApp Business?",
        "Oi, tudo bem? Queria falar com o comercial.",
        "Paguei ontem via Pix, já caiu?",
        "A nota fiscal veio com o CNPJ errado.",
        "Ok, aguardo o contato amanhã então.",
    ]

    static let agentLines = [
        "Olá! Claro, já te envio os detalhes.",
        "Boa tarde! Vou verificar e já te retorno.",
        "Segue a proposta em anexo. Qualquer dúvida estou à disposição.",
        "Entendo, vou encaminhar para o financeiro.",
        "Pronto, a segunda via foi enviada para o seu e-mail.",
        "Podemos agendar uma demonstração amanhã às 10h?",
        "Seu acesso foi liberado, pode testar novamente?",
    ]

    static let automationLines = [
        "Olá! 👋 Recebemos sua mensagem e em breve um atendente vai falar com você.",
        "Nosso horário de atendimento é de segunda a sexta, das 8h às 18h.",
        "Você ainda tem interesse na proposta? Responda SIM para falar com um consultor.",
    ]

    static let failureReasons = [
        "Número não possui WhatsApp", "Janela de 24 horas expirada", "Usuário bloqueou a conta", "Tempo limite do provedor",
    ]
}
