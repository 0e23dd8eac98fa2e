from dti_report.cli import main

main()
