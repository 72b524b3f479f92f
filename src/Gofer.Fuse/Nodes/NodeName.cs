namespace Gofer.Fuse.Nodes;

/// <summary>One name of a node: the directory node holding it and the name there.</summary>
internal readonly record struct NodeName(FuseNode Parent, string Name);
