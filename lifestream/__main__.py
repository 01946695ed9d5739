from lifestream.cli import main

main()
