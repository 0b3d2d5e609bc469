// Cryptocurrency miners: pool URLs and miner configuration keys.

rule Miner_Stratum_Pool
{
    meta:
        description = "Stratum mining-pool URL together with miner options"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1496/"
    strings:
        $url = /stratum\+(tcp|ssl|tls):\/\/[a-z0-9.\-]+:[0-9]{2,5}/ nocase ascii wide
        $opt1 = "--donate-level" ascii wide
        $opt2 = "\"donate-level\"" ascii
        $opt3 = "--cpu-priority" ascii wide
        $opt4 = "\"coin\":" ascii
    condition:
        $url and any of ($opt*)
}
