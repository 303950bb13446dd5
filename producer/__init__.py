"""Stream Online Retail II sales records from a CSV file into Kinesis Data Streams or Firehose.

`retail-producer --help` (or `python -m producer --help`) describes the command; the data contract is
in the project's MISSION.md: one UTF-8 JSON object per record, newline-terminated.
"""
