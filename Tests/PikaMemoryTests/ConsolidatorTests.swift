import Foundation
import Testing

@testable import PikaMemory

@Suite("Consolidation rules")
struct ConsolidatorTests {
    let consolidator = Consolidator()

    func memory(_ text: String, attribute: String? = nil) -> MemoryRecord {
        MemoryRecord(
            id: UUID().uuidString, scope: MemoryScope(tenant: "t", userID: "u"), text: text, attribute: attribute,
            createdAt: Date(), updatedAt: Date())
    }

    @Test func decisions() {
        let name = memory("Name is Minh", attribute: "name")
        #expect(consolidator.decide(ExtractedFact(text: "Likes cats"), neighbours: [], sameAttribute: nil) == .add)
        #expect(
            consolidator.decide(ExtractedFact(text: "Name is Minh", attribute: "name"), neighbours: [(name, 1)], sameAttribute: name)
                == .none)
        #expect(
            consolidator.decide(ExtractedFact(text: "Name is Anh", attribute: "name"), neighbours: [(name, 0.8)], sameAttribute: name)
                == .update(name))
        let pizza = memory("Likes pizza", attribute: "pref:pizza")
        #expect(
            consolidator.decide(
                ExtractedFact(text: "Likes pizza", attribute: "pref:pizza", isRetraction: true),
                neighbours: [(pizza, 1)], sameAttribute: pizza) == .delete(pizza))
        #expect(
            consolidator.decide(ExtractedFact(text: "Likes kale", isRetraction: true), neighbours: [(pizza, 0.2)], sameAttribute: nil)
                == .none)
        #expect(consolidator.decide(ExtractedFact(text: "likes PIZZA"), neighbours: [(pizza, 0.9)], sameAttribute: nil) == .none)
    }
}
