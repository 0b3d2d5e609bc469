rule included_ok { condition: true }
