// Groups: moving municipalities between groups on the edit page, without a reload. The page works without it.
