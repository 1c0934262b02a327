api_patterns: list = []
web_patterns: list = []
