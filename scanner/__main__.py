from scanner.cli import main

main(prog_name="segaudit")
