namespace Vfs.Cache.Content;

/// <summary>The blocks of one cached object whose data is in its spill file: a growable bitmap (4 GiB of 1 MiB blocks is 512 bytes).</summary>
internal sealed class BlockSet
{
    private ulong[] _bits = [];

    public int Count { get; private set; }

    public bool Contains(long block) =>
        block >= 0 && (block >> 6) < _bits.Length && (_bits[block >> 6] & (1UL << (int)(block & 63))) != 0;

    /// <summary>Adds <paramref name="block"/>; false when it was already there.</summary>
    public bool Add(long block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        long word = block >> 6;
        if (word >= _bits.Length) Array.Resize(ref _bits, (int)Math.Max(word + 1, _bits.Length * 2L));
        ulong mask = 1UL << (int)(block & 63);
        if ((_bits[word] & mask) != 0) return false;
        _bits[word] |= mask;
        Count++;
        return true;
    }

    /// <summary>Removes every block from <paramref name="first"/> on; returns how many were removed.</summary>
    public int RemoveFrom(long first)
    {
        int removed = 0;
        foreach (var block in Enumerate().Where(b => b >= first).ToList())
        {
            _bits[block >> 6] &= ~(1UL << (int)(block & 63));
            removed++;
        }
        Count -= removed;
        return removed;
    }

    public IEnumerable<long> Enumerate()
    {
        for (int word = 0; word < _bits.Length; word++)
        {
            ulong bits = _bits[word];
            while (bits != 0)
            {
                int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
                yield return ((long)word << 6) + bit;
                bits &= bits - 1;
            }
        }
    }
}
