"""Operations: crawl plans (``newsarchive run``), the folder's status (``newsarchive
status``) and the ``NEWSARCHIVE_SITE``/limit settings the plan's runs use (the add-on)."""
