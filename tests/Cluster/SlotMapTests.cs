using System.Text;
using EchoCache.Net.Cluster;

namespace EchoCache.Tests.Cluster;

public sealed class SlotMapTests
{
    [Fact]
    public void Two_workers_form_one_pair_that_holds_everything()
    {
        var map = new SlotMap(2);
        for (int slot = 0; slot < SlotMap.SlotCount; slot++)
        {
            Assert.True(map.Holds(0, slot));
            Assert.True(map.Holds(1, slot));
            Assert.NotEqual(map.PrimaryOf(slot), map.PartnerOf(slot));
        }
        Assert.Equal([1], map.PartnersOf(0));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_slot_has_two_distinct_replicas_and_load_is_even(int workers)
    {
        var map = new SlotMap(workers);
        int[] held = new int[workers];
        for (int slot = 0; slot < SlotMap.SlotCount; slot++)
        {
            Assert.NotEqual(map.PrimaryOf(slot), map.PartnerOf(slot));
            held[map.PrimaryOf(slot)]++;
            held[map.PartnerOf(slot)]++;
        }
        double share = 2.0 * SlotMap.SlotCount / workers;
        Assert.All(held, h => Assert.InRange(h, share - 2, share + 2));
        Assert.Equal(2, map.PartnersOf(0).Count);
    }

    [Fact]
    public void A_worker_can_be_refilled_from_its_partners()
    {
        var map = new SlotMap(3);
        for (int worker = 0; worker < 3; worker++)
        {
            for (int slot = 0; slot < SlotMap.SlotCount; slot++)
            {
                if (map.Holds(worker, slot))
                {
                    Assert.Contains(map.PartnersOf(worker), source => map.SourceServes(worker, source, slot));
                }
            }
        }
    }

    [Fact]
    public void Slots_are_stable_and_spread()
    {
        Assert.Equal(SlotMap.SlotOf("name"u8), SlotMap.SlotOf(Encoding.UTF8.GetBytes("name")));
        var slots = new HashSet<int>();
        for (int i = 0; i < 100_000; i++)
        {
            slots.Add(SlotMap.SlotOf(Encoding.UTF8.GetBytes($"key:{i}")));
        }
        Assert.True(slots.Count > 16_000, $"only {slots.Count} distinct slots");
    }
}
