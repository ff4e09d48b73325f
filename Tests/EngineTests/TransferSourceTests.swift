@testable import Engine
import Testing

@Suite("Payments source")
struct TransferSourceTests {
    @Test("transfers are a pure function of (seed, partition, offset)")
    func pure() {
        let a = TransferSource(seed: 9, partitions: 4, accounts: 1000)
        let b = TransferSource(seed: 9, partitions: 4, accounts: 1000)
        for o in 0..<100 { #expect(a.transfer(partition: 2, offset: Int64(o)) == b.transfer(partition: 2, offset: Int64(o))) }
        #expect(a.transfer(partition: 1, offset: 5) != a.transfer(partition: 2, offset: 5))
        #expect(TransferSource(seed: 10, partitions: 4, accounts: 1000).transfer(partition: 0, offset: 0) != a.transfer(partition: 0, offset: 0))
    }

    @Test("accounts and amounts spread over their whole range", arguments: [2, 7, 1000, 1_000_000])
    func spread(accounts: Int) {
        let s = TransferSource(seed: 1, partitions: 3, accounts: accounts)
        var seen = Set<Int>()
        var amounts = Set<Int>()
        var sum = 0
        let n = 200_000
        for o in 0..<n {
            let t = s.transfer(partition: o % 3, offset: Int64(o))
            #expect(t.from >= 0 && t.from < accounts && t.to >= 0 && t.to < accounts && t.from != t.to)
            #expect(t.amount >= 1 && t.amount <= TransferSource.maxAmount)
            seen.insert(t.from)
            seen.insert(t.to)
            amounts.insert(t.amount)
            sum += t.amount
        }
        #expect(seen.count >= min(accounts, n) * 8 / 10, "only \(seen.count) of \(accounts) accounts touched")
        #expect(amounts.count == TransferSource.maxAmount)
        let mean = Double(sum) / Double(n)
        #expect(abs(mean - 500.5) < 10, "mean amount \(mean)")
    }
}
