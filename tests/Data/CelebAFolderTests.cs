using SoftDiffusion.Data;

namespace SoftDiffusion.Tests.Data;

public class CelebAFolderTests
{
    [Fact]
    public void MissingFolderSaysWhereCelebAComesFromAndTheLayout()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => CelebAFolder.Open("/nonexistent/celeba"));
        Assert.Contains("/nonexistent/celeba", e.Message);
        Assert.Contains(CelebAFolder.ProjectPage, e.Message);
        Assert.Contains("Align&Cropped Images", e.Message);
        Assert.Contains("img_align_celeba.zip", e.Message);
        Assert.Contains("list_eval_partition.txt from the Eval folder", e.Message);
        Assert.Contains("/nonexistent/celeba/img_align_celeba/000001.jpg", e.Message);
    }

    [Fact]
    public void MissingPartitionFileIsNamed()
    {
        using var folder = new CelebATestFolder();
        var e = Assert.Throws<FileNotFoundException>(() => CelebAFolder.Open(folder.Root));
        Assert.Contains(Path.Combine(folder.Root, "list_eval_partition.txt") + " is missing", e.Message);
        Assert.Contains(CelebAFolder.ProjectPage, e.Message);
    }

    [Fact]
    public void SplitsFollowThePartitionFileOrder()
    {
        using var folder = CelebATestFolder.Standard();
        var celeba = CelebAFolder.Open(folder.Root);
        foreach (var split in Enum.GetValues<CelebASplit>())
        {
            var expected = Enumerable.Range(0, 12).Where(k => CelebATestFolder.StandardPartitions[k] == (int)split).Select(CelebATestFolder.FileName);
            Assert.Equal(expected, celeba.FileNames(split));
        }
        Assert.Equal([8, 2, 2], Enum.GetValues<CelebASplit>().Select(s => celeba.FileNames(s).Count));
    }

    [Fact]
    public void MalformedPartitionLineNamesTheLine()
    {
        using var folder = new CelebATestFolder();
        File.WriteAllText(Path.Combine(folder.Root, CelebAFolder.PartitionFileName), "000001.jpg 0\n000002.jpg 7\n");
        var e = Assert.Throws<InvalidDataException>(() => CelebAFolder.Open(folder.Root).FileNames(CelebASplit.Train));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("000002.jpg 7", e.Message);
    }
}
