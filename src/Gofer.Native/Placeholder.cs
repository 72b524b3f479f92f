namespace Gofer.Native; internal static class Placeholder { }
