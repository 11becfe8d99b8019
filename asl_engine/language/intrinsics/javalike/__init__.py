"""Java and Jackson behaviour that leaks into AWS's intrinsic results.

Step Functions runs intrinsics on the JVM: values are Jackson trees converted to plain Java objects
(``Integer``, ``Double``, ``String``, ``ArrayList``, ``LinkedHashMap``), so ``toString``, ``hashCode``,
``java.util.Random`` and Jackson's number and error formatting show through in results. These
modules reproduce exactly the parts that recorded executions expose.
"""
