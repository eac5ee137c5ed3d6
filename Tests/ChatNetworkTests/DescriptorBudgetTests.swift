import ChatEvents
import ChatNetwork
import Testing

@Suite("Connections the file-descriptor limit allows")
struct DescriptorBudgetTests {
  @Test func theRoomTakesNoMoreThanItsDescriptorsLessTheReserve() {
    let budget = DescriptorBudget(limit: 1024, reserve: 32)
    #expect(budget.connectionLimit(requested: 10_000) == 992)
    #expect(budget.connectionLimit(requested: 500) == 500)
    #expect(DescriptorBudget(limit: 10, reserve: 32).connectionLimit(requested: 10_000) == 1)
  }

  @Test func theStartLineSaysWhyTheLimitIsLower() {
    let budget = DescriptorBudget(limit: 64, reserve: 32)
    #expect(
      budget.describe(requested: 10_000)
        == "accepting up to 32 connections at once, not 10000: 64 file descriptors, 32 kept in reserve "
        + "(raise the limit with ulimit -n)")
    #expect(
      DescriptorBudget(limit: 1_048_576).describe(requested: 10_000)
        == "accepting up to 10000 connections at once (1048576 file descriptors)")
  }

  @Test func theSoftLimitIsRaisedToTheHardOne() {
    let budget = DescriptorBudget.raisingSoftLimit()
    #expect(budget.limit >= 64)
  }
}
